import { type AffinityMode, decryptSecret, RESPONSE_CACHE_DEFAULT_BYTES } from "@ai-router/contracts";
import { stringify } from "yaml";
import type { PrismaClient } from "../db/client.js";
import { openHeaders } from "../db/sealed-headers.js";

export interface ExportOptions {
  /** Write provider keys in clear (decrypted with the master key) instead of `${NAME_API_KEY}` placeholders. */
  withSecrets: boolean;
  masterKey: Buffer;
}

const headerEnvName = (provider: string, header: string) =>
  `${provider.toUpperCase().replace(/[^A-Z0-9]+/g, "_")}_HEADER_${header.toUpperCase().replace(/[^A-Z0-9]+/g, "_")}`;
const envName = (provider: string) => `${provider.toUpperCase().replace(/[^A-Z0-9]+/g, "_")}_API_KEY`;
const obj = (v: unknown) => (v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

/**
 * Writes the database back as a standalone `router.yaml`. Keys become `${PROVIDER_API_KEY}` references
 * unless `withSecrets`. Client keys cannot be exported (only their hashes are stored): they are listed
 * in the returned warnings.
 */
export async function exportConfig(prisma: PrismaClient, opts: ExportOptions): Promise<{ yaml: string; warnings: string[] }> {
  const warnings: string[] = [];
  const providers = await prisma.provider.findMany({
    include: { keys: { where: { isEnabled: true }, orderBy: { id: "asc" } } },
    orderBy: { id: "asc" },
  });
  const models = await prisma.model.findMany({
    where: { isEnabled: true },
    include: { links: { include: { provider: true }, orderBy: { id: "asc" } } },
    orderBy: { id: "asc" },
  });
  const clientKeys = await prisma.clientKey.count({ where: { revoked: false } });
  // Header values are sealed like keys: in clear only with --with-secrets, else ${PROVIDER_HEADER_NAME} references.
  const headerVars: string[] = [];
  const exportHeaders = (provider: string, h: unknown): Record<string, string> => {
    if (opts.withSecrets) return openHeaders(h, opts.masterKey);
    const out: Record<string, string> = {};
    for (const name of Object.keys(obj(h))) {
      const v = headerEnvName(provider, name);
      headerVars.push(v);
      out[name] = `\${${v}}`;
    }
    return out;
  };
  // The proxy URL may hold a password: sealed like keys, so a ${PROVIDER_PROXY_URL} reference unless --with-secrets.
  const exportTransport = (p: (typeof providers)[number]) => {
    const t: Record<string, unknown> = {};
    if (p.proxyUrl !== null) {
      if (opts.withSecrets) t.proxy_url = decryptSecret(p.proxyUrl, opts.masterKey);
      else {
        const v = `${p.name.toUpperCase().replace(/[^A-Z0-9]+/g, "_")}_PROXY_URL`;
        headerVars.push(v);
        t.proxy_url = `\${${v}}`;
      }
    }
    if (p.caFile !== null) t.ca_file = p.caFile;
    if (p.certFile !== null) t.cert_file = p.certFile;
    if (p.keyFile !== null) t.key_file = p.keyFile;
    if (p.skipTlsVerify) t.tls_insecure_skip_verify = true;
    if (p.http2 !== "auto") t.http2 = p.http2;
    return t;
  };
  const settings = await prisma.routerSettings.findUnique({ where: { id: 1 } });
  const doc = {
    // Kept on in the file too: the keys are not exported, and the router must not open without them.
    ...(settings?.authRequired ? { server: { auth_required: true } } : {}),
    providers: providers.map((p) => {
      const keys = opts.withSecrets
        ? p.keys.map((k) => decryptSecret(k.secret, opts.masterKey))
        : p.keys.map((_, i) => `\${${envName(p.name)}${p.keys.length > 1 ? `_${i + 1}` : ""}}`);
      return {
        name: p.name,
        type: p.adapter,
        ...(p.officialEndpoint || p.thirdPartyEndpoint ? { base_url: p.officialEndpoint ?? p.thirdPartyEndpoint } : {}),
        ...(keys.length === 1 ? { api_key: keys[0] } : keys.length > 1 ? { api_key: keys } : {}),
        timeout_ms: p.timeoutMs,
        connect_timeout_ms: p.connectTimeoutMs,
        ...(Object.keys(obj(p.headers)).length ? { headers: exportHeaders(p.name, p.headers) } : {}),
        stream_usage: p.streamUsage,
        max_connections: p.maxConnections,
        enabled: p.isEnabled,
        ...exportTransport(p),
      };
    }),
    models: models
      .filter((m) => {
        if (m.links.length === 0) warnings.push(`model "${m.name}" has no provider link: left out (router.yaml needs at least one)`);
        return m.links.length > 0;
      })
      .map((m) => ({
        name: m.name,
        llm_type: m.llmType,
        ...(m.description ? { description: m.description } : {}),
        strategy: m.strategy,
        ...(Object.keys(obj(m.strategyOptions)).length ? { strategy_options: m.strategyOptions } : {}),
        ...(m.strict ? { strict: true } : {}),
        ...(m.streamContinuation ? { stream_continuation: true } : {}),
        ...(m.affinity ? { affinity: m.affinity as AffinityMode } : {}),
        ...(m.cacheBreakpoints === false ? { cache_breakpoints: false } : {}),
        ...(m.cacheTtlS ? { cache: { ttl_s: m.cacheTtlS, max_bytes: RESPONSE_CACHE_DEFAULT_BYTES, shared: m.cacheShared } } : {}),
        providers: m.links.map((l) => ({
          provider: l.provider.name,
          ...(l.upstreamModel ? { model: l.upstreamModel } : {}),
          weight: l.weight,
          ...(l.isPreferred ? { preferred: true } : {}),
          ...(l.priority ? { priority: l.priority } : {}),
          ...(l.price ? { price: l.price } : {}),
          ...(l.healthCheck ? {} : { health_check: false }),
          ...(Object.keys({ ...obj(m.params), ...obj(l.params) }).length ? { params: { ...obj(m.params), ...obj(l.params) } } : {}),
          ...(l.isEnabled ? {} : { enabled: false }),
        })),
      })),
  };
  if (headerVars.length > 0)
    warnings.push(
      `provider header values and proxy URLs are \${VAR} references: set ${headerVars.join(", ")} (or export with --with-secrets)`,
    );
  if (clientKeys > 0) warnings.push(`${clientKeys} client key(s) not exported: only their hashes are stored; add them under keys: by hand`);
  const header = `# Exported from the AI Router control plane on ${new Date().toISOString()}.\n${opts.withSecrets ? "# Contains provider keys in clear: keep this file private.\n" : "# Provider keys are $" + "{VAR} references: set those variables (or export with --with-secrets).\n"}`;
  return { yaml: header + stringify(doc), warnings };
}
