import { z } from "zod";

/**
 * The usage ledger: one record per request a proxy answered, its NATS transport, its Postgres table
 * and the admin API over it (docs/usage-ledger.md). Records are written by one release and read by
 * another, so readers ignore unknown fields (`UsageRecord` is not strict) and writers only add fields.
 */

/** How one upstream attempt of the failover chain ended. */
export const AttemptOutcome = z.enum(["served", "retry", "final", "broken"]);

/** One try at one target, in order. */
export const UsageAttempt = z.object({
  provider: z.string(),
  upstream_model: z.string(),
  /** served = the client got this answer; retry = failed, the next target was tried; final = an error the client saw; broken = failed mid-stream. */
  outcome: AttemptOutcome,
  /** Upstream HTTP status when one was received; null for a transport error or a local answer. */
  status: z.number().int().nullable(),
  /** Stable error code of a failed try (`upstream_timeout`, `rate_limit_exceeded`...); null when served. */
  error_code: z.string().nullable(),
  latency_ms: z.number().nonnegative(),
});
export type UsageAttempt = z.infer<typeof UsageAttempt>;

/** One request the proxy answered. */
export const UsageRecord = z.object({
  /** The request id (`x-request-id`): unique in the ledger, a redelivery never duplicates a row. */
  id: z.string().min(1).max(128),
  /** ISO time the request arrived. */
  time: z.string(),
  /** The proxy replica that answered. */
  replica: z.string(),
  /** The API the client spoke: openai-chat, anthropic-messages, anthropic-count-tokens, openai-embeddings, openai-images. */
  ingress: z.string(),
  /** chat.completions, messages, messages.count_tokens, embeddings, images.generations... */
  endpoint: z.string(),
  /** The model the client asked for; null when refused before the body was read (a key limit). */
  model: z.string().nullable(),
  /** Provider of the last target tried; null when none was. */
  provider: z.string().nullable(),
  upstream_model: z.string().nullable(),
  /** The client key's id (cluster: the `client_keys` row id; standalone: its name); null without client keys. */
  key_id: z.string().nullable(),
  key_name: z.string().nullable(),
  stream: z.boolean(),
  /** HTTP status the client got (499 when it hung up first). */
  status: z.number().int(),
  /** Stable error code when the request failed (status >= 400 or a stream broken mid-way); else null. */
  error_code: z.string().nullable(),
  /** The failover chain. */
  attempts: z.array(UsageAttempt),
  prompt_tokens: z.number().int().nonnegative(),
  completion_tokens: z.number().int().nonnegative(),
  cached_tokens: z.number().int().nonnegative(),
  reasoning_tokens: z.number().int().nonnegative(),
  /** True when the upstream reported no usage for an answer (e.g. the client hung up before the last chunk): the tokens are estimated. */
  usage_estimated: z.boolean(),
  /** USD at the serving target's price; null when that target has no price (never 0 for unknown). */
  cost_usd: z.number().nonnegative().nullable(),
  latency_ms: z.number().nonnegative(),
  /** Time to the first byte of the answer; null when nothing was sent. */
  ttft_ms: z.number().nonnegative().nullable(),
  /** Completion tokens per second after the first byte; null without completion tokens. */
  tokens_per_s: z.number().nonnegative().nullable(),
  request_bytes: z.number().int().nonnegative(),
  response_bytes: z.number().int().nonnegative(),
  /**
   * Time the request waited for a free upstream pool connection, ms, all attempts (a wait that ran out
   * and failed over included); 0 when it never waited. Records of releases before it read as 0.
   */
  queued_ms: z.number().nonnegative().default(0),
  /**
   * Per-replica sequence number, increasing by one per record (the spend watermark: the ledger says
   * up to which sequence it has a replica's records). Absent from records written before it existed.
   */
  seq: z.number().int().nonnegative().optional(),
});
export type UsageRecord = z.infer<typeof UsageRecord>;

/**
 * What a proxy publishes on `usageLedger.subject(bucket, replica)`: a small batch of records, signed
 * (`createSigner`, the subject as context) since issue 27; the writer stores no unsigned batch.
 */
export const UsageBatch = z.object({
  replica: z.string(),
  records: z.array(UsageRecord),
});
export type UsageBatch = z.infer<typeof UsageBatch>;

/** JetStream names of the ledger, scoped by the routing bucket so environments and test runs stay apart. */
export const usageLedger = {
  /** The stream (work-queue retention: a batch leaves it once the writer committed and acknowledged it). */
  stream: (bucket: string) => `ai-router-usage-${bucket}`,
  /** Subject of one replica's batches (replica names reduced to subject-safe characters). */
  subject: (bucket: string, replica: string) => `ai-router.${bucket}.usage.${replica.replace(/[^A-Za-z0-9_-]/g, "_")}`,
  /** All replicas' subjects. */
  subjects: (bucket: string) => `ai-router.${bucket}.usage.>`,
  /** The writer's durable pull consumer (shared by every worker replica). */
  consumer: "ledger-writer",
  /**
   * Deliveries of one batch before the stream stops redelivering it (the consumer's `max_deliver`). The
   * writer retries a database outage in place without a redelivery, so only writers dying while they
   * hold a batch count: the batch is then dead-lettered, never dropped in silence.
   */
  maxDeliver: 10,
  /** JetStream's advisory when a batch reached `maxDeliver` (the writer dead-letters it). */
  maxDeliveriesAdvisory: (bucket: string) => `$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.ai-router-usage-${bucket}.ledger-writer`,
  /** Redis key of one minute's rollup hash (fields `<metric>|<model>|<provider>`). */
  rollupKey: (bucket: string, minute: number) => `ai-router:${bucket}:usage:m:${minute}`,
  /** BullMQ queue of the retention job. */
  retentionQueue: "usage-retention",
  /** Default retention of ledger rows. */
  retentionDays: 90,
  /** Default bound of a proxy's buffer while NATS is down. */
  bufferRecords: 100_000,
} as const;

const isoTime = z.iso.datetime({ offset: true });

/** Filters shared by `GET /v1/db/usage` and `/v1/db/usage/summary`. */
export const UsageFilters = z.object({
  /** ISO time, inclusive; default 24 h before `to`. */
  from: isoTime.optional(),
  /** ISO time, exclusive; default now. */
  to: isoTime.optional(),
  model: z.string().max(256).optional(),
  provider: z.string().max(256).optional(),
  key_id: z.string().max(128).optional(),
  /** An HTTP status (`429`) or a class (`2xx`, `4xx`, `5xx`), or `error` (status >= 400). */
  status: z
    .string()
    .regex(/^([1-5][0-9][0-9]|[1-5]xx|error)$/, "an HTTP status, a class like 4xx, or error")
    .optional(),
});

/** `GET /v1/db/usage` query. */
export const UsageListQuery = UsageFilters.extend({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  /** `next_cursor` of the previous page. */
  cursor: z.string().max(512).optional(),
}).strict();
export type UsageListQuery = z.infer<typeof UsageListQuery>;

export const UsageGroupBy = z.enum(["model", "provider", "key", "day", "hour"]);
export type UsageGroupBy = z.infer<typeof UsageGroupBy>;

/** `GET /v1/db/usage/summary` query. */
export const UsageSummaryQuery = UsageFilters.extend({ group_by: UsageGroupBy.default("model") }).strict();
export type UsageSummaryQuery = z.infer<typeof UsageSummaryQuery>;

/** `GET /v1/db/usage` answer: newest first. */
export const UsageListOut = z.object({ data: z.array(UsageRecord), next_cursor: z.string().nullable() });
export type UsageListOut = z.infer<typeof UsageListOut>;

/** One group's figures (and the totals). */
export const UsageFigures = z.object({
  requests: z.number().int(),
  /** Requests with status >= 400. */
  errors: z.number().int(),
  prompt_tokens: z.number().int(),
  completion_tokens: z.number().int(),
  cached_tokens: z.number().int(),
  /** Sum over priced requests (unpriced ones add nothing). */
  cost_usd: z.number(),
  latency_p50_ms: z.number().nullable(),
  latency_p95_ms: z.number().nullable(),
  ttft_p50_ms: z.number().nullable(),
});
export type UsageFigures = z.infer<typeof UsageFigures>;

export const UsageSummaryRow = UsageFigures.extend({
  /** The group's value: model, provider, key id, or the ISO start of the day/hour (UTC); "unknown" for none. */
  key: z.string(),
});
export type UsageSummaryRow = z.infer<typeof UsageSummaryRow>;

/** `GET /v1/db/usage/summary` answer. */
export const UsageSummaryOut = z.object({ group_by: UsageGroupBy, rows: z.array(UsageSummaryRow), totals: UsageFigures });
export type UsageSummaryOut = z.infer<typeof UsageSummaryOut>;
