import { z } from "zod";
import { RoutingTable } from "./routing-table.js";
import { tolerant } from "./wire.js";

/** NATS names shared by the control plane and the proxies. */
export const nats = {
  /** JetStream KV bucket holding the routing table (override with ROUTER_NATS_BUCKET). */
  routingBucket: "ai-router-routing",
  /** Key of the current table inside the bucket. */
  routingKey: "table",
  /** Prefix of a model chunk's key (`models.<id>`, id = the chunk's SHA-256, hex, 32 chars) in the routing bucket. */
  modelChunkPrefix: "models.",
} as const;

/** Bucket names NATS accepts: letters, digits, `-` and `_`. */
const bucketName = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "letters, digits, - and _ only");

/** The routing bucket for this environment: `ROUTER_NATS_BUCKET` (tests isolate themselves with it) or the default. */
export function routingBucketName(env: NodeJS.ProcessEnv = process.env): string {
  const v = env.ROUTER_NATS_BUCKET;
  return v ? bucketName.parse(v) : nats.routingBucket;
}

/** The bucket holding one entry per client key (key = its SHA-256 hex), beside the routing bucket. */
export const keysBucketName = (routingBucket: string): string => `${routingBucket}-keys`;

/** One model's request counters (the original's `/v1/stats` plus tokens and cost). */
export const ModelCounters = z
  .object({
    requests: z.number().nonnegative(),
    failures: z.number().nonnegative(),
    promptTokens: z.number().nonnegative(),
    completionTokens: z.number().nonnegative(),
    costUsd: z.number().nonnegative(),
    /** Unix seconds. */
    lastRequestTime: z.number().nonnegative(),
  })
  .strict();
export type ModelCounters = z.infer<typeof ModelCounters>;

/** The original's `/v1/stats` counter maps (`request_counters: {model: n}`, ...) from per-model counters. */
export function seedStatsCounters(byModel: Iterable<[string, ModelCounters]>) {
  const entries = [...byModel];
  const pick = <K extends keyof ModelCounters>(k: K) => Object.fromEntries(entries.map(([m, c]) => [m, c[k]]));
  return {
    request_counters: pick("requests"),
    failure_counters: pick("failures"),
    last_request_time: pick("lastRequestTime"),
    prompt_tokens: pick("promptTokens"),
    completion_tokens: pick("completionTokens"),
    cost_usd: pick("costUsd"),
  };
}

/** One client key's usage on one replica, cumulative since the replica started (never reset by `/v1/stats/reset`). */
export const KeyCounters = z
  .object({
    /** USD spent through this replica. */
    spentUsd: z.number().nonnegative(),
    /** Prompt + completion tokens. */
    tokens: z.number().nonnegative(),
    requests: z.number().nonnegative(),
  })
  .strict();
export type KeyCounters = z.infer<typeof KeyCounters>;

/** Per-model counters of one proxy replica since it started (or since the last reset). */
const StatsReportShape = z
  .object({
    replica: z.string().min(1).max(128),
    /** Unix ms of the report. */
    at: z.number().int(),
    models: z.record(z.string(), ModelCounters),
    /** Unix ms the replica started: its `keys` counters count from then. */
    startedAt: z.number().int().optional(),
    /** Per client key (SHA-256 hex), cumulative: only keys with a limit are tracked. */
    keys: z.record(z.string().regex(/^[0-9a-f]{64}$/), KeyCounters).optional(),
  })
  .strict();
/** Read tolerantly: a field a newer release adds is ignored, never a refusal. */
export const StatsReport = tolerant(StatsReportShape);
export type StatsReport = z.infer<typeof StatsReportShape>;

/**
 * The cluster-wide spend of the client keys that have a budget, as the control plane persisted it
 * (published after each change; a proxy checks budgets against it plus its own spend since).
 */
const SpendUpdateShape = z
  .object({
    /** Unix ms: a proxy ignores an update older than the last one it applied. */
    at: z.number().int(),
    /** Client key SHA-256 hex -> USD spent on all replicas. */
    keys: z.record(z.string().regex(/^[0-9a-f]{64}$/), z.number().nonnegative()),
    /**
     * Replica id -> key hash -> the cumulative spend of that replica already counted in `keys`: a replica
     * subtracts its own and adds its current cumulative spend instead.
     */
    accounted: z.record(z.string().min(1).max(128), z.record(z.string().regex(/^[0-9a-f]{64}$/), z.number().nonnegative())).optional(),
  })
  .strict();
/** Read tolerantly: a field a newer release adds is ignored, never a refusal. */
export const SpendUpdate = tolerant(SpendUpdateShape);
export type SpendUpdate = z.infer<typeof SpendUpdateShape>;

/** Core-NATS subjects beside the bucket (scoped by bucket name so test runs stay apart). */
export const natsSubjects = {
  /** Proxies publish a StatsReport here every few seconds; the control plane sums them for `/v1/stats`. */
  stats: (bucket: string) => `ai-router.${bucket}.stats`,
  /** The control plane asks every proxy to zero its counters (`POST /v1/stats/reset`). Empty payload. */
  statsReset: (bucket: string) => `ai-router.${bucket}.stats.reset`,
  /** The health worker publishes a ProbeReport (libs/contracts health.ts) here after every probe; proxies feed it to target health. */
  health: (bucket: string) => `ai-router.${bucket}.health`,
  /** The control plane publishes a SpendUpdate here when budgeted keys' spend changed (no table republish). */
  spend: (bucket: string) => `ai-router.${bucket}.spend`,
} as const;

/** Payload schemas per KV key: what a watcher must validate before use. */
export const natsPayloads = {
  [nats.routingKey]: RoutingTable,
} as const;
