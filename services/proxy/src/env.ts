import { LogLevelEnv, MetricsLegacyNamesEnv, S3FilesEnv } from "@ai-router/contracts";
import { z } from "zod";

/** The proxy's environment, validated at boot. */
export const ProxyEnv = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8000),
  HOST: z.string().default("0.0.0.0"),
  ROUTER_CONFIG: z.string().default("./router.yaml"),
  LOG_LEVEL: LogLevelEnv,
  /** Also export the metrics' deprecated unprefixed names (`requests_total`...), until 0.3: docs/usage-ledger.md. */
  ROUTER_METRICS_LEGACY_NAMES: MetricsLegacyNamesEnv,
  /** Cluster mode: routing tables come from NATS instead of the config file. */
  NATS_URL: z.string().optional(),
  /** Cluster mode: NATS credentials (a NATS_URL may carry them too: nats://user:password@host:4222). */
  NATS_USER: z.string().min(1).optional(),
  NATS_PASSWORD: z.string().min(1).optional(),
  /** Cluster mode: the JetStream KV bucket holding the routing table. */
  ROUTER_NATS_BUCKET: z.string().optional(),
  /**
   * Cluster mode: Redis for cluster-wide client-key limits and budgets, and for stored Responses shared by
   * every replica (unset: limits counted per replica, responses kept in memory per replica).
   */
  REDIS_URL: z.string().optional(),
  /** Time to live of stored responses (Responses API `store`), seconds. */
  ROUTER_RESPONSES_TTL_S: z.coerce.number().int().min(1).max(2_592_000).default(86_400),
  /** Cluster mode without `REDIS_URL`: most bytes of stored responses each replica keeps in memory (64 MiB). */
  ROUTER_RESPONSES_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1024 * 1024)
    .max(64 * 1024 * 1024 * 1024)
    .default(64 * 1024 * 1024),
  /** Cluster mode (required there): checks the signed tables and messages and opens the sealed provider keys (32 bytes, hex or base64). */
  ROUTER_MASTER_KEY: z.string().optional(),
  /** Cluster mode: where admin paths (/v1/db/*, /docs...) are forwarded. */
  CONTROL_PLANE_URL: z.url().default("http://127.0.0.1:8081"),
  /** Cluster mode: file keeping the last good table, to boot while NATS is down. Unset = no cache. */
  ROUTER_TABLE_CACHE: z.string().optional(),
  /** A response whose client reads nothing for this long is cut (frees its upstream connection). */
  ROUTER_CLIENT_STALL_MS: z.coerce.number().int().min(100).max(3_600_000).default(30_000),
  /** Longest wait for a free upstream pool connection before a 503 `upstream_busy` that fails over. */
  ROUTER_POOL_WAIT_MS: z.coerce.number().int().min(0).max(600_000).default(5_000),
  /** Cluster mode: grace period for in-flight requests on SIGTERM. */
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).max(600_000).default(30_000),
  /** This replica's name in usage records and stats (default: host-pid-random). */
  ROUTER_REPLICA: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,64}$/, "letters, digits, . _ - only")
    .optional(),
  /**
   * When set, `GET /metrics` asks for `Authorization: Bearer <token>`. Unset, `/metrics` is closed while
   * client keys are required (`auth_required`) and open otherwise.
   */
  ROUTER_METRICS_TOKEN: z.string().min(16).optional(),
  /** `true`: `/metrics` open without a token even while client keys are required (a port only Prometheus reaches). */
  ROUTER_METRICS_PUBLIC: z
    .enum(["1", "0", "true", "false", ""])
    .optional()
    .transform((v) => v === "1" || v === "true"),
  /** Cluster mode: usage records kept while NATS is unreachable; past it they are dropped and counted. */
  /**
   * Start-up warm-up (requests through a private proxy against an in-process upstream, so the JIT has
   * compiled the request path before the first client): 0 skips it.
   */
  ROUTER_WARMUP: z.enum(["0", "1"]).default("1"),
  /** Longest the warm-up may take, ms (the port opens after it). */
  ROUTER_WARMUP_MS: z.coerce.number().int().min(0).max(10_000).default(3_000),
  /** The warm-up ends sooner once every call ran this many times (one round: each ingress, JSON and SSE). */
  ROUTER_WARMUP_ROUNDS: z.coerce.number().int().min(1).max(100_000).default(1_000),
  /** Standalone: the Files and Batches APIs keep their data under this folder (`files/`, `batches/`). */
  ROUTER_DATA_DIR: z.string().min(1).default("./data"),
  /**
   * Cluster mode: the control plane's database. With `REDIS_URL` it turns on the Files, Batches and
   * Fine-tuning APIs: their state (and the files, unless S3 is set) in PostgreSQL, batches run by the
   * health worker (docs/files-batches.md).
   */
  DATABASE_URL: z.string().min(1).optional(),
  /** Cluster mode: how often fine-tuned models that succeeded are reloaded from the database, ms. */
  ROUTER_FINE_TUNED_REFRESH_MS: z.coerce.number().int().min(100).max(600_000).default(2_000),
  /** Files in PostgreSQL, chunked (a database with the control plane's migrations applied). */
  ROUTER_FILES_DATABASE_URL: z.string().min(1).optional(),
  ...S3FilesEnv,
  /** Batch lines the router runs at once per replica. */
  ROUTER_BATCH_CONCURRENCY: z.coerce.number().int().min(1).max(1024).default(8),
  /** Batch lines at once while live traffic is about (in flight, or one ended in the last 100 ms). */
  ROUTER_BATCH_BUSY_CONCURRENCY: z.coerce.number().int().min(1).max(1024).default(1),
  /** A batch line waits while the replica serves more live requests than this. */
  ROUTER_BATCH_LIVE_THRESHOLD: z.coerce.number().int().min(0).max(1_000_000).default(32),
  /** While live traffic is about, a batch line starts only while the event loop's utilization (0-1) is below this. */
  ROUTER_BATCH_BUSY_UTILIZATION: z.coerce.number().min(0).max(1).default(0.5),
  /**
   * Standalone: where the router's own batch lines are served. `process` (default): a batch lane, a child
   * process at the lowest CPU priority (batches/batch-lane.ts); `off`: this process, beside live traffic.
   */
  ROUTER_BATCH_LANE: z.enum(["process", "off"]).default("process"),
  /** Standalone: the first (and shortest) wait of the poll that charges Message Batches passed through; it doubles up to 10 min. */
  ROUTER_MESSAGE_BATCH_POLL_MS: z.coerce.number().int().min(100).max(600_000).default(30_000),
  /** WebSocket endpoints: open sockets per client key (one more is refused with 429 at the upgrade). */
  ROUTER_WS_MAX_SOCKETS_PER_KEY: z.coerce.number().int().min(1).max(100_000).default(64),
  /** WebSocket endpoints: largest client message, bytes (bigger closes the socket with 1009). */
  ROUTER_WS_MAX_MESSAGE_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(256 * 1024 * 1024)
    .default(16 * 1024 * 1024),
  /** WebSocket endpoints: a socket with no message and no turn for this long is closed; pings every third of it. */
  ROUTER_WS_IDLE_MS: z.coerce.number().int().min(1_000).max(86_400_000).default(300_000),
  /** WebSocket endpoints: bytes a slow reader may leave unsent before its socket is closed with 1008. */
  ROUTER_WS_MAX_BUFFERED_BYTES: z.coerce
    .number()
    .int()
    .min(65_536)
    .max(1024 * 1024 * 1024)
    .default(4 * 1024 * 1024),
  ROUTER_USAGE_BUFFER: z.coerce.number().int().min(100).max(10_000_000).default(100_000),
});
export type ProxyEnv = z.infer<typeof ProxyEnv>;
