import { z } from "zod";
import { AffinityMode, LlmType, Price, ProviderType } from "./config-file.js";
import { Http2Mode } from "./transport.js";
import { strictly, tolerant } from "./wire.js";

/**
 * The schema version this build writes. Changes to the table are additive only: readers ignore fields
 * they do not know (`RoutingTable` is tolerant), writers check with `RoutingTableWrite`.
 */
export const ROUTING_TABLE_SCHEMA_VERSION = 1;

/**
 * The schema versions this build reads: its own, the one before and the one after, so the releases of
 * a rolling upgrade read each other's tables (a version adds fields; it may drop what the version before
 * it deprecated, so two versions apart are not read).
 */
export const ROUTING_TABLE_READS = { min: Math.max(1, ROUTING_TABLE_SCHEMA_VERSION - 1), max: ROUTING_TABLE_SCHEMA_VERSION + 1 } as const;

/**
 * A secret as it travels in a routing table: plaintext (standalone mode, never leaves the process)
 * or `enc:v1:<iv>:<tag>:<ciphertext>` (base64 parts, AES-256-GCM under ROUTER_MASTER_KEY).
 */
export const Secret = z.string().min(1);

/** An upstream provider account, compiled. */
export const TableProvider = z
  .object({
    /** Unique provider name; appears in `x-router-provider`. */
    name: z.string().min(1),
    type: ProviderType,
    /** Base URL including the version path; no trailing slash. */
    baseUrl: z.url(),
    /** Keys rotated round-robin; empty when the upstream needs none. */
    apiKeys: z.array(Secret),
    timeoutMs: z.number().int().positive(),
    connectTimeoutMs: z.number().int().positive(),
    headers: z.record(z.string(), z.string()),
    streamUsage: z.boolean(),
    maxConnections: z.number().int().positive(),
    /**
     * An operator's verdict (`PUT /v1/providers/{name}/health`): "unhealthy" = out of rotation on every
     * replica until put back, "degraded" = in rotation, reported degraded. Absent = live health decides.
     */
    healthOverride: z.enum(["unhealthy", "degraded"]).optional(),
    /** Egress proxy URL (sealed in cluster mode: it may hold a password). Absent = HTTPS_PROXY / HTTP_PROXY / NO_PROXY of the replica. */
    proxyUrl: Secret.optional(),
    /** PEM file (on the replica) of extra CAs trusted for this provider. */
    caFile: z.string().min(1).optional(),
    /** Client certificate and key files (PEM, on the replica) for mTLS. */
    certFile: z.string().min(1).optional(),
    keyFile: z.string().min(1).optional(),
    /** Accept any upstream certificate (test setups only; warned at every table load). */
    tlsInsecureSkipVerify: z.boolean().optional(),
    /** HTTP/2 to the upstream; absent = `auto`. */
    http2: Http2Mode.optional(),
  })
  .strict();
export type TableProvider = z.infer<typeof TableProvider>;

/** One (provider, upstream model) pair that can serve a model. */
export const TableTarget = z
  .object({
    provider: z.string().min(1),
    /** Model id sent upstream. */
    upstreamModel: z.string().min(1),
    weight: z.number().positive(),
    preferred: z.boolean(),
    /** Lower = tried first as a tier. */
    priority: z.number().int().min(0),
    price: Price.optional(),
    /** false = shielded: no active probes, judged from live traffic only. */
    healthCheck: z.boolean(),
    /** Defaults merged under the client's request fields. */
    params: z.record(z.string(), z.unknown()),
  })
  .strict();
export type TableTarget = z.infer<typeof TableTarget>;

/** A model's response cache as the proxy applies it. */
export const TableResponseCache = z
  .object({
    /** Seconds a cached answer is served. */
    ttlS: z.number().int().positive(),
    /** Bytes of cached answers kept in a replica's memory; also the largest answer stored (memory and Redis). */
    maxBytes: z.number().int().positive(),
    /** Shared across client keys; false (the default) = per key. */
    shared: z.boolean(),
  })
  .strict();
export type TableResponseCache = z.infer<typeof TableResponseCache>;

export const TableModel = z
  .object({
    /** Public model id clients send as `model`. */
    name: z.string().min(1),
    llmType: LlmType,
    description: z.string().optional(),
    /** Balancing strategy name (see libs/balancing). */
    strategy: z.string().min(1),
    strategyOptions: z.record(z.string(), z.unknown()),
    strict: z.boolean(),
    /**
     * A stream that breaks after text reached the client is finished by another target that takes an
     * assistant prefill (mid-stream continuation). Absent (tables of older compilers): off.
     */
    streamContinuation: z.boolean().optional(),
    /** Unix seconds the model was created; shown in `/v1/models`. */
    created: z.number().int().nonnegative(),
    /** Declared capabilities (upper case); absent = not declared, requests are not checked. */
    capabilities: z.array(z.string().min(1)).optional(),
    /** Session affinity: `off`, `session` or `prefix`; absent = `session` for a chat model with several targets. */
    affinity: AffinityMode.optional(),
    /** false: no automatic prompt-cache breakpoints for Anthropic targets; absent = on. */
    cacheBreakpoints: z.boolean().optional(),
    /** Exact-match response cache; absent = off (tables of older compilers too). */
    cache: TableResponseCache.optional(),
    targets: z.array(TableTarget).min(1),
  })
  .strict();
export type TableModel = z.infer<typeof TableModel>;
/** A model as read from a published table (unknown fields ignored), checked one at a time. */
export const TableModelRead = tolerant(TableModel);
/** A model as checked before it is published (an unknown field is an error). */
export const TableModelWrite = strictly(TableModel);

/** A client key. Only a SHA-256 hash travels; the plaintext is never stored in a table. */
export const TableClientKey = z
  .object({
    /** The key's id in usage records (`client_keys` row id); absent = its name is used. */
    id: z.string().min(1).max(128).optional(),
    name: z.string().min(1),
    /** Lower-case hex SHA-256 of the key. */
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    /** Allowed model names; absent = all. */
    models: z.array(z.string()).optional(),
    /** Unix ms after which the key is refused. */
    expiresAt: z.number().int().optional(),
    /** Requests per sliding 60 s window; absent = unlimited. Per replica in cluster mode. */
    rpmLimit: z.number().int().positive().optional(),
    /** Prompt + completion tokens per sliding 60 s window; absent = unlimited. Per replica in cluster mode. */
    tpmLimit: z.number().int().positive().optional(),
    /** May ask for `x-router-decision` (`x-router-debug: 1`): the candidates, their health and order. */
    debug: z.boolean().optional(),
    /** Spend limit in USD; absent = unlimited. Enforced against `spentUsd` + this replica's spend since the table. */
    budgetUsd: z.number().nonnegative().optional(),
    /**
     * USD already spent by the key across all replicas when the table was compiled (cluster mode: the
     * control plane's persisted total); absent = 0 (standalone: spend counts from process start).
     */
    spentUsd: z.number().nonnegative().optional(),
    /**
     * Unix ms of the key's last spend reset (absent: never). Cluster budgets are counted in Redis under
     * this epoch, so a reset starts a fresh count seeded from `spentUsd`.
     */
    spendResetAt: z.number().int().nonnegative().optional(),
  })
  .strict();
export type TableClientKey = z.infer<typeof TableClientKey>;

export const TableSettings = z
  .object({
    maxBodyBytes: z.number().int().positive(),
    /** Largest audio upload (transcriptions, translations); absent in tables before it: 25 MiB. */
    maxAudioBytes: z.number().int().positive().optional(),
    maxAttempts: z.number().int().min(1),
    failureThreshold: z.number().int().min(1),
    cooldownMs: z.number().int().min(0),
    /** Failed health-worker probes in a row that take a target out of rotation (default 2). */
    probeFailureThreshold: z.number().int().min(1).optional(),
  })
  .strict();
export type TableSettings = z.infer<typeof TableSettings>;

/** Everything a proxy replica needs to route; published by the control plane, versioned. */
const RoutingTableShape = z
  .object({
    /** The writer's {@link ROUTING_TABLE_SCHEMA_VERSION}; read when within {@link ROUTING_TABLE_READS}. */
    schemaVersion: z.number().int().min(ROUTING_TABLE_READS.min).max(ROUTING_TABLE_READS.max),
    /** Monotonically increasing within a lineage; a proxy ignores a table older than the one it serves. */
    revision: z.number().int().nonnegative(),
    /**
     * The id of the database that compiled the table, created with it. A table of another lineage (a new
     * deployment: database and bucket recreated, revisions from 1 again) is accepted whatever its revision.
     * Absent in tables of releases before it, and in standalone mode.
     */
    lineage: z.string().min(1).max(128).optional(),
    /** ISO time of compilation. */
    generatedAt: z.string(),
    settings: TableSettings,
    providers: z.array(TableProvider),
    models: z.array(TableModel),
    /** The keys a proxy accepts. With none (and `authRequired` not set), the proxy asks for no client key. */
    clientKeys: z.array(TableClientKey),
    /**
     * Every request needs a valid client key, even when `clientKeys` is empty (then every request is a
     * 401): deleting the last key never opens the router. Absent = required exactly when keys exist.
     */
    authRequired: z.boolean().optional(),
    /**
     * The client keys are not in this table but in this KV bucket, one entry per key (signed, a
     * TableClientKey keyed by its SHA-256), followed incrementally: `clientKeys` is then empty.
     */
    keysBucket: z.string().min(1).max(64).optional(),
    /**
     * The models are not in this table but in chunks in the same bucket (`models.<id>`, id = the first
     * 32 hex chars of the chunk text's SHA-256): `models` holds none, and a reader assembles them in this
     * order. Unchanged chunks keep their ids, so a change publishes the head and the chunks it touched.
     */
    modelChunks: z.array(z.string().regex(/^[0-9a-f]{32}$/)).optional(),
  })
  .strict();
/** How a table is read (proxies, health workers, disk caches): unknown fields at any level are ignored. */
export const RoutingTable = tolerant(RoutingTableShape);
/** How a table is checked before it is published: this build's version, and an unknown field at any level is an error. */
export const RoutingTableWrite = strictly(RoutingTableShape.extend({ schemaVersion: z.literal(ROUTING_TABLE_SCHEMA_VERSION) }));
export type RoutingTable = z.infer<typeof RoutingTableShape>;

/** What `checkRoutingTable` says: the table, or why not (`reason` undefined: the same revision again, nothing to say). */
export type RoutingTableCheck = { ok: true; table: RoutingTable; newLineage?: boolean } | { ok: false; reason?: string };

/**
 * Models already checked, by the object they were read from (to what the check made of them). Tables
 * read from the bucket share the model objects of unchanged chunks (the table follower keeps them), and
 * nobody modifies them; a fresh object (a disk cache, a config file) is simply checked.
 */
const checkedModels = new WeakMap<object, TableModel>();

/** The table a consumer serves, as far as judging the next one goes. */
export interface ServedTable {
  revision: number;
  lineage?: string | undefined;
  /**
   * It came from a disk cache, not from the bucket: the bucket's current table beats it whatever its
   * revision (the bucket is the truth; the cache only bridges a boot while NATS is away).
   */
  provisional?: boolean;
}

/**
 * The checks every consumer of a published table makes before using it (proxies, health workers):
 * a `schemaVersion` this build reads, the schema, and a revision newer than the one it serves, unless the
 * table is of another lineage (a new deployment) or what it serves is only a cached copy.
 */
export function checkRoutingTable(input: unknown, served?: ServedTable): RoutingTableCheck {
  const version = (input as { schemaVersion?: unknown } | null)?.schemaVersion;
  if (typeof version !== "number" || !Number.isInteger(version) || version < ROUTING_TABLE_READS.min || version > ROUTING_TABLE_READS.max) {
    const reads = `${ROUTING_TABLE_READS.min} to ${ROUTING_TABLE_READS.max}`;
    return { ok: false, reason: `unsupported schemaVersion ${JSON.stringify(version)} (this build reads ${reads})` };
  }
  // Models are checked one by one, and one checked before (the same object, handed on again by a
  // follower that kept an unchanged chunk) is not checked again: a change costs its own models.
  const rawModels = (input as { models?: unknown }).models;
  const issues: string[] = [];
  const models: TableModel[] = [];
  if (Array.isArray(rawModels)) {
    for (const [i, m] of rawModels.entries()) {
      const known = m !== null && typeof m === "object" ? checkedModels.get(m) : undefined;
      if (known) {
        models.push(known);
        continue;
      }
      const r = TableModelRead.safeParse(m);
      if (!r.success) {
        for (const issue of r.error.issues) issues.push(`models.${[i, ...issue.path].join(".")}: ${issue.message}`);
        continue;
      }
      if (m !== null && typeof m === "object") checkedModels.set(m, r.data);
      models.push(r.data);
    }
  }
  const head = RoutingTable.safeParse(Array.isArray(rawModels) ? Object.assign({}, input, { models: [] }) : input);
  if (!head.success) issues.unshift(...head.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`));
  if (!head.success || issues.length > 0) return { ok: false, reason: `invalid routing table: ${issues.slice(0, 5).join("; ")}` };
  const table = Object.assign(head.data, { models });
  if (!served) return { ok: true, table };
  const { revision, lineage } = table;
  if (lineage !== served.lineage) return { ok: true, table, newLineage: true };
  if (served.provisional) return { ok: true, table };
  if (revision === served.revision) return { ok: false };
  if (revision < served.revision) return { ok: false, reason: `revision ${revision} is older than the served revision ${served.revision}` };
  return { ok: true, table };
}
