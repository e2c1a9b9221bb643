import { checkStrategy } from "@ai-router/balancing";
import { bundledPrice } from "@ai-router/config";
import {
  type LlmType,
  type Price,
  type ProviderType,
  ROUTING_TABLE_SCHEMA_VERSION,
  type RoutingTable,
  type TableClientKey,
  type TableModel,
  type TableProvider,
  type TableSettings,
} from "@ai-router/contracts";
import { checkProvider } from "@ai-router/providers";
import type { Db } from "../db/client.js";

/** Table-wide settings (the standalone `server:` block's defaults). */
/** Settings every proxy applies (the control plane's `ROUTER_*` environment overrides them). */
export const defaultSettings: TableSettings = { maxBodyBytes: 10 * 1024 * 1024, maxAttempts: 3, failureThreshold: 3, cooldownMs: 30_000 };

const obj = (v: unknown): Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

export interface DbCompileResult {
  table: RoutingTable;
  warnings: string[];
}

/**
 * Compiles the database into a routing table. Provider keys stay sealed (`enc:v1:`): only proxies
 * holding ROUTER_MASTER_KEY open them, in memory. Anything a proxy would refuse (no base URL, no key
 * for a provider that needs one, an adapter this build lacks, a strategy that does not build) is left
 * out with a warning, so one bad row never blocks the whole table.
 */
export async function compileDatabase(
  db: Db,
  revision: number,
  settings: TableSettings = defaultSettings,
  now = new Date(),
  /** false: the keys travel in their own bucket and are already there; only whether any exists is read. */
  withKeys = true,
): Promise<DbCompileResult> {
  const warnings: string[] = [];
  const [providerRows, modelRows, keyRows, settingsRow] = await Promise.all([
    db.provider.findMany({
      where: { isEnabled: true },
      include: { keys: { where: { isEnabled: true }, orderBy: { id: "asc" } } },
      orderBy: { id: "asc" },
    }),
    db.model.findMany({
      where: { isEnabled: true },
      include: {
        links: { where: { isEnabled: true }, include: { provider: true }, orderBy: { id: "asc" } },
        capabilities: { include: { capability: true }, orderBy: { capabilityId: "asc" } },
      },
      orderBy: { id: "asc" },
    }),
    withKeys
      ? db.clientKey.findMany({ orderBy: { id: "asc" } })
      : db.clientKey.findFirst({ select: { id: true } }).then((k) => (k ? [k] : [])),
    db.routerSettings.findUnique({ where: { id: 1 } }),
  ]);

  const providers: TableProvider[] = [];
  for (const p of providerRows) {
    const r = toTableProvider(p);
    if (r.ok) providers.push(r.provider);
    else warnings.push(`provider "${p.name}" left out: ${r.why}`);
  }
  const live = new Set(providers.map((p) => p.name));

  const created = (d: Date) => Math.floor(d.getTime() / 1000);
  const models: TableModel[] = [];
  for (const m of modelRows) {
    const targets = m.links
      .filter((l) => live.has(l.provider.name))
      .map((l) => {
        // A link's own price wins; else the bundled list's; else none (cost stays null, never 0).
        const upstreamModel = l.upstreamModel ?? m.name;
        const price = (l.price as Price | null) ?? bundledPrice(l.provider.adapter, upstreamModel);
        return {
          provider: l.provider.name,
          upstreamModel,
          weight: l.weight,
          preferred: l.isPreferred,
          priority: l.priority,
          ...(price ? { price } : {}),
          healthCheck: l.healthCheck,
          params: { ...obj(m.params), ...obj(l.params) },
        };
      });
    if (targets.length === 0) {
      if (m.links.length > 0) warnings.push(`model "${m.name}" not served: none of its providers is enabled and usable`);
      continue;
    }
    const problem = checkStrategy(m.strategy, obj(m.strategyOptions), targets);
    if (problem) {
      warnings.push(`model "${m.name}" not served: ${problem}`);
      continue;
    }
    models.push({
      name: m.name,
      llmType: m.llmType as LlmType,
      ...(m.description ? { description: m.description } : {}),
      strategy: m.strategy,
      strategyOptions: obj(m.strategyOptions),
      strict: m.strict,
      ...(m.capabilities.length > 0 ? { capabilities: m.capabilities.map((c) => c.capability.name) } : {}),
      created: created(m.createdAt),
      targets,
    });
  }

  // Revoked keys stay in the table as already expired: the proxy refuses them. Deleting the last key
  // never turns client auth off either: `authRequired` (set by the first key) keeps it on.
  const clientKeys: TableClientKey[] = withKeys ? (keyRows as unknown as Parameters<typeof toTableKey>[0][]).map(toTableKey) : [];

  return {
    table: {
      schemaVersion: ROUTING_TABLE_SCHEMA_VERSION,
      revision,
      generatedAt: now.toISOString(),
      settings: Object.assign({}, settings),
      providers,
      models,
      clientKeys,
      authRequired: (settingsRow?.authRequired ?? false) || keyRows.length > 0,
    },
    warnings,
  };
}

/** A provider row with its enabled keys, as the compiler reads it. */
export interface ProviderRow {
  name: string;
  adapter: string;
  officialEndpoint: string | null;
  thirdPartyEndpoint: string | null;
  timeoutMs: number;
  connectTimeoutMs: number;
  headers: unknown;
  streamUsage: boolean;
  maxConnections: number;
  healthOverride: string | null;
  keys: { secret: string }[];
}

/**
 * A provider row as it goes into the table (keys and header values still sealed), or why a proxy
 * would refuse it. The "test connection" probe uses it too, so it tests what the proxies will send.
 */
export function toTableProvider(
  p: ProviderRow,
): { ok: true; provider: TableProvider } | { ok: false; problem: "unknown_type" | "no_base_url" | "no_key"; why: string } {
  const type = p.adapter as ProviderType;
  const checked = checkProvider({ name: p.name, type, baseUrl: p.officialEndpoint ?? p.thirdPartyEndpoint, keyCount: p.keys.length });
  if (!checked.ok) {
    const why = {
      unknown_type: `adapter "${p.adapter}" is not available in this build`,
      no_base_url: `adapter ${type} needs a base URL (official_endpoint)`,
      no_key: "no enabled API key",
    };
    return { ok: false, problem: checked.problem, why: why[checked.problem] };
  }
  return {
    ok: true,
    provider: {
      name: p.name,
      type,
      baseUrl: checked.baseUrl,
      apiKeys: p.keys.map((k) => k.secret),
      timeoutMs: p.timeoutMs,
      connectTimeoutMs: p.connectTimeoutMs,
      headers: obj(p.headers) as Record<string, string>,
      streamUsage: p.streamUsage,
      maxConnections: p.maxConnections,
      ...(p.healthOverride === "unhealthy" || p.healthOverride === "degraded" ? { healthOverride: p.healthOverride } : {}),
    },
  };
}

/** A client key row as it travels (in its own bucket, or in the table). */
export function toTableKey(k: {
  id: number;
  name: string;
  hash: string;
  allowedModels: unknown;
  revoked: boolean;
  revokedAt: Date | null;
  expiresAt: Date | null;
  rpmLimit: number | null;
  tpmLimit: number | null;
  budgetUsd: number | null;
  spentUsd: number | null;
  spendResetAt: Date | null;
}): TableClientKey {
  const expiresAt = k.revoked ? (k.revokedAt?.getTime() ?? 0) : k.expiresAt?.getTime();
  return {
    id: String(k.id),
    name: k.name,
    sha256: k.hash,
    ...(Array.isArray(k.allowedModels) ? { models: k.allowedModels as string[] } : {}),
    ...(expiresAt !== undefined ? { expiresAt } : {}),
    ...(k.rpmLimit !== null ? { rpmLimit: k.rpmLimit } : {}),
    ...(k.tpmLimit !== null ? { tpmLimit: k.tpmLimit } : {}),
    ...(k.budgetUsd !== null ? { budgetUsd: k.budgetUsd } : {}),
    // The cluster-wide spend so far: each proxy adds its own spend since this table to it.
    ...(k.budgetUsd !== null ? { spentUsd: k.spentUsd ?? 0 } : {}),
    ...(k.budgetUsd !== null && k.spendResetAt ? { spendResetAt: k.spendResetAt.getTime() } : {}),
  };
}
