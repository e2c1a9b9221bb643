import { checkStrategy } from "@ai-router/balancing";
import { bundledPrice } from "@ai-router/config";
import {
  AffinityMode,
  type LlmType,
  type Price,
  RESPONSE_CACHE_DEFAULT_BYTES,
  ROUTING_TABLE_SCHEMA_VERSION,
  type RoutingTable,
  type TableClientKey,
  type TableModel,
  TableModelWrite,
  type TableProvider,
  type TableSettings,
} from "@ai-router/contracts";
import type { Db } from "../db/client.js";
import { toTableKey, toTableProvider } from "./table-rows.js";

export { type ProviderRow, toTableKey, toTableProvider } from "./table-rows.js";

/** Table-wide settings (the standalone `server:` block's defaults). */
/** Settings every proxy applies (the control plane's `ROUTER_*` environment overrides them). */
export const defaultSettings: TableSettings = { maxBodyBytes: 10 * 1024 * 1024, maxAttempts: 3, failureThreshold: 3, cooldownMs: 30_000 };

const obj = (v: unknown): Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

export interface DbCompileResult {
  table: RoutingTable;
  warnings: string[];
  /** Each model's JSON text, in `table.models` order (cached with it: unchanged models are not stringified again). */
  modelTexts: string[];
}

/** One model as compiled from its row, under the version of its rows it was compiled from. */
interface CompiledModel {
  version: string;
  model?: TableModel;
  text?: string;
  warning?: string;
}

/**
 * Compiled models kept between compiles (the control plane's publisher holds one): a model whose rows
 * (its links and capabilities included) and whose providers did not change is neither read, compiled,
 * checked nor stringified again, so a change costs a scan of row versions plus the models it touched.
 */
export class ModelCompileCache {
  /** Fingerprint of the live providers the entries were compiled against; another one clears them. */
  providers = "";
  entries = new Map<number, CompiledModel>();
}

/** What a model is compiled from, read as JSON text built by Postgres. */
interface ModelRow {
  name: string;
  llmType: string;
  description: string | null;
  strategy: string;
  strategyOptions: unknown;
  params: unknown;
  strict: boolean;
  /** Absent in rows of a query written before the column. */
  streamContinuation?: boolean;
  /** Absent from rows of a release before session affinity. */
  affinity?: string | null;
  /** Absent from rows of a release before the response cache. */
  cacheTtlS?: number | null;
  cacheBreakpoints?: boolean | null;
  cacheShared?: boolean | null;
  created: number;
  links: {
    providerId: number;
    weight: number;
    isPreferred: boolean;
    priority: number;
    upstreamModel: string | null;
    price: unknown;
    healthCheck: boolean;
    params: unknown;
  }[];
  capabilities: string[];
}

/**
 * Every enabled model's version (its own row's, its links' and its capabilities' `xmin`: any insert,
 * update or delete of one of them gives another), and, for models whose version is not the one in
 * `known`, the model as JSON text with its enabled links and capabilities. One statement, so one
 * snapshot: versions and rows always agree. Postgres builds the JSON, far cheaper than hydrating
 * thousands of ORM objects, and unchanged models are not sent at all.
 */
function readModels(db: Db, known: ReadonlyMap<number, string>) {
  return db.$queryRaw<{ id: number; version: string; row: string | null }[]>`
    WITH known AS (SELECT * FROM unnest(${[...known.keys()]}::int[], ${[...known.values()]}::text[]) AS k(id, version)),
    v AS MATERIALIZED (
      SELECT m.id, m.xmin::text || '|' || coalesce(l.v, '') || '|' || coalesce(c.v, '') AS version
      FROM models m
      LEFT JOIN (SELECT model_id, string_agg(id || '.' || xmin::text, ',' ORDER BY id) AS v FROM model_providers GROUP BY model_id) l
        ON l.model_id = m.id
      LEFT JOIN (
        SELECT mc.model_id, string_agg(c.id || '.' || c.xmin::text, ',' ORDER BY c.id) AS v
        FROM model_capabilities mc JOIN capabilities c ON c.id = mc.capability_id GROUP BY mc.model_id) c
        ON c.model_id = m.id
      WHERE m.is_enabled
    )
    SELECT v.id, v.version, CASE WHEN k.version IS DISTINCT FROM v.version THEN (
      SELECT json_build_object(
        'name', m.name, 'llmType', m.llm_type, 'description', m.description, 'strategy', m.strategy,
        'strategyOptions', m.strategy_options, 'params', m.params, 'strict', m.strict, 'affinity', m.affinity,
        'cacheTtlS', m.cache_ttl_s, 'cacheBreakpoints', m.cache_breakpoints, 'cacheShared', m.cache_shared,
        'streamContinuation', m.stream_continuation,
        'created', floor(extract(epoch FROM m.created_at))::bigint,
        'links', coalesce((
          SELECT json_agg(json_build_object(
            'providerId', l.provider_id, 'weight', l.weight, 'isPreferred', l.is_preferred, 'priority', l.priority,
            'upstreamModel', l.upstream_model, 'price', l.price, 'healthCheck', l.health_check, 'params', l.params
          ) ORDER BY l.id)
          FROM model_providers l WHERE l.model_id = m.id AND l.is_enabled), '[]'::json),
        'capabilities', coalesce((
          SELECT json_agg(c.name ORDER BY c.id)
          FROM model_capabilities mc JOIN capabilities c ON c.id = mc.capability_id WHERE mc.model_id = m.id), '[]'::json)
      )::text FROM models m WHERE m.id = v.id) END AS row
    FROM v LEFT JOIN known k ON k.id = v.id ORDER BY v.id`;
}

/**
 * Compiles the database into a routing table. Provider keys stay sealed (`enc:v1:`): only proxies
 * holding ROUTER_MASTER_KEY open them, in memory. Anything a proxy would refuse (no base URL, no key
 * for a provider that needs one, an adapter this build lacks, a strategy that does not build) is left
 * out with a warning, so one bad row never blocks the whole table; so is a model that the table's
 * writing schema refuses.
 */
export async function compileDatabase(
  db: Db,
  revision: number,
  settings: TableSettings = defaultSettings,
  now = new Date(),
  /** false: the keys travel in their own bucket and are already there; only whether any exists is read. */
  withKeys = true,
  /** Models compiled before (reused when their row and the providers are unchanged). */
  cache: ModelCompileCache = new ModelCompileCache(),
): Promise<DbCompileResult> {
  const warnings: string[] = [];
  const [providerRows, modelRows, keyRows, settingsRow] = await Promise.all([
    db.provider.findMany({
      where: { isEnabled: true },
      include: { keys: { where: { isEnabled: true }, orderBy: { id: "asc" } } },
      orderBy: { id: "asc" },
    }),
    readModels(db, new Map([...cache.entries].map(([id, c]) => [id, c.version]))),
    withKeys
      ? db.clientKey.findMany({ orderBy: { id: "asc" } })
      : db.clientKey.findFirst({ select: { id: true } }).then((k) => (k ? [k] : [])),
    db.routerSettings.findUnique({ where: { id: 1 } }),
  ]);

  const providers: TableProvider[] = [];
  const liveById = new Map<number, { name: string; adapter: string }>();
  for (const p of providerRows) {
    const r = toTableProvider(p);
    if (!r.ok) {
      warnings.push(`provider "${p.name}" left out: ${r.why}`);
      continue;
    }
    liveById.set(p.id, { name: p.name, adapter: p.adapter });
    providers.push(r.provider);
  }

  // A model's compiled form depends on its rows and on which providers are live (names, adapters):
  // other providers than those the cache was compiled against, and every model is read again.
  const fingerprint = JSON.stringify([...liveById]);
  let rows = modelRows;
  if (cache.providers !== fingerprint) {
    cache.entries.clear();
    if (rows.some((r) => r.row === null)) rows = await readModels(db, new Map());
  }
  const entries = new Map<number, CompiledModel>();
  const models: TableModel[] = [];
  const modelTexts: string[] = [];
  for (const { id, version, row } of rows) {
    const c = row === null ? cache.entries.get(id) : compileModel(version, row, liveById);
    if (c === undefined) throw new Error(`model ${id}: not read and not compiled before`);
    entries.set(id, c);
    if (c.warning) warnings.push(c.warning);
    if (c.model) {
      models.push(c.model);
      modelTexts.push(c.text!);
    }
  }
  cache.providers = fingerprint;
  cache.entries = entries;

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
    modelTexts,
  };
}

/** One model row compiled (its targets: the links to live providers), checked and stringified. */
function compileModel(version: string, row: string, live: ReadonlyMap<number, { name: string; adapter: string }>): CompiledModel {
  const m = JSON.parse(row) as ModelRow;
  const targets = m.links.flatMap((l) => {
    const provider = live.get(l.providerId);
    if (!provider) return [];
    // A link's own price wins; else the bundled list's; else none (cost stays null, never 0).
    const upstreamModel = l.upstreamModel ?? m.name;
    const price = (l.price as Price | null) ?? bundledPrice(provider.adapter, upstreamModel);
    return [
      {
        provider: provider.name,
        upstreamModel,
        weight: l.weight,
        preferred: l.isPreferred,
        priority: l.priority,
        ...(price ? { price } : {}),
        healthCheck: l.healthCheck,
        params: { ...obj(m.params), ...obj(l.params) },
      },
    ];
  });
  if (targets.length === 0) {
    return m.links.length > 0
      ? { version, warning: `model "${m.name}" not served: none of its providers is enabled and usable` }
      : { version };
  }
  const problem = checkStrategy(m.strategy, obj(m.strategyOptions), targets);
  if (problem) return { version, warning: `model "${m.name}" not served: ${problem}` };
  const model: TableModel = {
    name: m.name,
    llmType: m.llmType as LlmType,
    ...(m.description ? { description: m.description } : {}),
    strategy: m.strategy,
    strategyOptions: obj(m.strategyOptions),
    strict: m.strict,
    ...(m.streamContinuation ? { streamContinuation: true } : {}),
    ...(AffinityMode.safeParse(m.affinity).success ? { affinity: m.affinity as AffinityMode } : {}),
    ...(m.cacheBreakpoints === false ? { cacheBreakpoints: false } : {}),
    ...(typeof m.cacheTtlS === "number" && m.cacheTtlS > 0
      ? { cache: { ttlS: m.cacheTtlS, maxBytes: RESPONSE_CACHE_DEFAULT_BYTES, shared: m.cacheShared === true } }
      : {}),
    ...(m.capabilities.length > 0 ? { capabilities: m.capabilities } : {}),
    created: Number(m.created),
    targets,
  };
  // Never publish what a proxy would refuse, nor a field no release knows.
  const checked = TableModelWrite.safeParse(model);
  if (!checked.success) {
    const i = checked.error.issues[0];
    return { version, warning: `model "${m.name}" not served: ${i ? `${i.path.join(".")}: ${i.message}` : "invalid"}` };
  }
  return { version, model, text: JSON.stringify(model) };
}
