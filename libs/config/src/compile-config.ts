import { createHash } from "node:crypto";
import {
  ROUTING_TABLE_SCHEMA_VERSION,
  type RouterConfigFile,
  type RoutingTable,
  type TableModel,
  type TableProvider,
} from "@ai-router/contracts";
import { checkProvider } from "@ai-router/providers";
import { bundledPrice } from "./prices/index.js";

export const sha256Hex = (s: string): string => createHash("sha256").update(s).digest("hex");

export interface CompileResult {
  table: RoutingTable;
  /** Human-readable notes: providers disabled for want of a key, models left with no target. */
  warnings: string[];
}

/** A provider's transport settings as the table carries them: only those set (a table without them is as before). */
function transportFields(p: RouterConfigFile["providers"][number]): Partial<TableProvider> {
  const t: Partial<TableProvider> = {};
  if (p.proxy_url !== undefined) t.proxyUrl = p.proxy_url;
  if (p.ca_file !== undefined) t.caFile = p.ca_file;
  if (p.cert_file !== undefined) t.certFile = p.cert_file;
  if (p.key_file !== undefined) t.keyFile = p.key_file;
  if (p.tls_insecure_skip_verify) t.tlsInsecureSkipVerify = true;
  if (p.http2 !== "auto") t.http2 = p.http2;
  return t;
}

/** Compiles a validated config file into a routing table (the same form the control plane publishes). */
export function compileConfig(cfg: RouterConfigFile, revision = 1, now = new Date()): CompileResult {
  const warnings: string[] = [];
  const providers: TableProvider[] = [];
  for (const p of cfg.providers) {
    const keys = (Array.isArray(p.api_key) ? p.api_key : p.api_key === undefined ? [] : [p.api_key]).filter((k) => k !== "");
    if (!p.enabled) continue;
    const checked = checkProvider({ name: p.name, type: p.type, baseUrl: p.base_url, keyCount: keys.length });
    if (!checked.ok) {
      const why = {
        unknown_type: `type ${p.type} is not available in this build`,
        no_base_url: `type ${p.type} needs base_url`,
        no_key: "no API key configured",
      };
      warnings.push(`provider "${p.name}" disabled: ${why[checked.problem]}`);
      continue;
    }
    const baseUrl = checked.baseUrl;
    providers.push({
      name: p.name,
      type: p.type,
      baseUrl,
      apiKeys: keys,
      timeoutMs: p.timeout_ms,
      connectTimeoutMs: p.connect_timeout_ms,
      headers: p.headers,
      streamUsage: p.stream_usage,
      maxConnections: p.max_connections,
      ...transportFields(p),
    });
  }
  const live = new Map(providers.map((p) => [p.name, p.type]));
  const created = Math.floor(now.getTime() / 1000);
  const models: TableModel[] = [];
  for (const m of cfg.models) {
    const targets = m.providers
      .filter((t) => t.enabled && live.has(t.provider))
      .map((t) => {
        const upstreamModel = t.model ?? m.name;
        // A link's own price wins; else the bundled list's; else none (cost stays null, never 0).
        const price = t.price ?? bundledPrice(live.get(t.provider) ?? "", upstreamModel);
        return {
          provider: t.provider,
          upstreamModel,
          weight: t.weight,
          preferred: t.preferred,
          priority: t.priority,
          ...(price ? { price } : {}),
          healthCheck: t.health_check,
          params: t.params,
        };
      });
    if (targets.length === 0) {
      warnings.push(`model "${m.name}" not served: none of its providers is enabled`);
      continue;
    }
    models.push({
      name: m.name,
      llmType: m.llm_type,
      ...(m.description ? { description: m.description } : {}),
      strategy: m.strategy,
      strategyOptions: m.strategy_options,
      strict: m.strict,
      ...(m.stream_continuation ? { streamContinuation: true } : {}),
      ...(m.capabilities ? { capabilities: [...new Set(m.capabilities)] } : {}),
      ...(m.affinity ? { affinity: m.affinity } : {}),
      ...(m.cache_breakpoints === false ? { cacheBreakpoints: false } : {}),
      ...(m.cache ? { cache: { ttlS: m.cache.ttl_s, maxBytes: m.cache.max_bytes, shared: m.cache.shared } } : {}),
      created,
      targets,
    });
  }
  const table: RoutingTable = {
    schemaVersion: ROUTING_TABLE_SCHEMA_VERSION,
    revision,
    generatedAt: now.toISOString(),
    settings: {
      maxBodyBytes: cfg.server.max_body_bytes,
      maxAudioBytes: cfg.server.max_audio_bytes,
      maxAttempts: cfg.server.max_attempts,
      failureThreshold: cfg.server.failure_threshold,
      cooldownMs: cfg.server.cooldown_ms,
    },
    providers,
    models,
    clientKeys: cfg.keys.map((k) => ({
      name: k.name,
      sha256: sha256Hex(k.key),
      ...(k.models ? { models: k.models } : {}),
      ...(k.rpm_limit !== undefined ? { rpmLimit: k.rpm_limit } : {}),
      ...(k.tpm_limit !== undefined ? { tpmLimit: k.tpm_limit } : {}),
      ...(k.budget_usd !== undefined ? { budgetUsd: k.budget_usd } : {}),
      ...(k.debug ? { debug: true } : {}),
    })),
    authRequired: cfg.server.auth_required ?? cfg.keys.length > 0,
  };
  return { table, warnings };
}
