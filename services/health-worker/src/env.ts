import {
  checkClusterEnv,
  clusterEnv,
  envProblems,
  healthDefaults,
  LogLevelEnv,
  MetricsLegacyNamesEnv,
  S3FilesEnv,
} from "@ai-router/contracts";
import { z } from "zod";

/** The health worker's environment, validated at boot. */
export const HealthWorkerEnvSchema = z
  .object({
    REDIS_URL: z
      .string()
      .regex(/^rediss?:\/\//, "a redis:// or rediss:// URL")
      .default("redis://127.0.0.1:6379"),
    NATS_URL: z.string().min(1).default("nats://127.0.0.1:4222"),
    /** NATS credentials (a NATS_URL may carry them too: nats://user:password@host:4222). */
    NATS_USER: z.string().min(1).optional(),
    NATS_PASSWORD: z.string().min(1).optional(),
    /** The routing bucket; must match the control plane's and the proxies'. Also scopes the queue, keys and subject. */
    ROUTER_NATS_BUCKET: z.string().optional(),
    /** 32 bytes (64 hex characters or base64): opens the provider keys sealed in the routing table. */
    ROUTER_MASTER_KEY: z.string().min(1, "ROUTER_MASTER_KEY is required (it opens the provider keys the probes send)"),
    /** Every provider is probed once per interval, whatever the number of worker replicas. */
    HEALTH_PROBE_INTERVAL_MS: z.coerce.number().int().min(100).max(86_400_000).default(healthDefaults.intervalMs),
    /** Probes one worker runs at once. */
    HEALTH_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(8),
    /** Upper bound of one probe (a provider's own timeout_ms applies when it is shorter). */
    HEALTH_PROBE_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(healthDefaults.maxProbeTimeoutMs),
    /** Recent successful latencies kept per provider in Redis. */
    HEALTH_LATENCY_SAMPLES: z.coerce.number().int().min(1).max(10_000).default(healthDefaults.latencySamples),
    /** `GET /health` for Kubernetes probes. */
    HEALTH_WORKER_PORT: z.coerce.number().int().min(0).max(65535).default(8082),
    HOST: z.string().default("0.0.0.0"),
    /** The control plane's database: when set, this worker also writes the usage ledger (docs/usage-ledger.md). */
    DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, "a postgresql:// URL")
      .optional(),
    /**
     * Rolling upgrade from proxies that published unsigned usage batches: until this ISO time the writer
     * also stores unsigned batches (counted in `ai_router_ledger_batches_unsigned_accepted_total`). Unset (the
     * default): an unsigned batch is rejected. Set it only for the rollout (docs/usage-ledger.md).
     */
    LEDGER_ACCEPT_UNSIGNED_UNTIL: z.iso.datetime({ offset: true }).optional(),
    /**
     * Cluster mode's Files, Batches and Fine-tuning APIs (with DATABASE_URL): where this worker sends batch
     * lines, a proxy replica or the load balancer in front of them. Unset: this worker runs no batches.
     */
    ROUTER_BATCH_PROXY_URL: z.url().optional(),
    ...S3FilesEnv,
    /** Lines of one batch this worker keeps in flight. */
    ROUTER_BATCH_CONCURRENCY: z.coerce.number().int().min(1).max(1024).default(8),
    /** Batches this worker runs at once. */
    ROUTER_BATCH_JOBS: z.coerce.number().int().min(1).max(64).default(4),
    /** How often unfinished batches are re-queued and the providers' batch and fine-tuning jobs read, ms. */
    ROUTER_OFFLINE_POLL_MS: z.coerce.number().int().min(100).max(3_600_000).default(30_000),
    /** A batch run whose worker died (no lock renewal) is taken over by another worker after this long, ms. */
    ROUTER_OFFLINE_LOCK_MS: z.coerce.number().int().min(500).max(600_000).default(30_000),
    /** Ledger rows older than this many days are deleted by a daily job. */
    USAGE_RETENTION_DAYS: z.coerce.number().int().min(1).max(36_500).default(90),
    /** When set, `GET /metrics` asks for `Authorization: Bearer <token>` (the same variable as the proxies'). */
    ROUTER_METRICS_TOKEN: z.string().min(16).optional(),
    LOG_LEVEL: LogLevelEnv,
    /** Also export the metrics' deprecated unprefixed names (`requests_total`...), until 0.3: docs/usage-ledger.md. */
    ROUTER_METRICS_LEGACY_NAMES: MetricsLegacyNamesEnv,
  })
  .superRefine((e, ctx) => {
    checkClusterEnv(e, ctx);
  });

export interface HealthWorkerEnv extends z.infer<typeof HealthWorkerEnvSchema> {
  masterKey: Buffer;
  bucket: string;
}

/** Parses the environment; the problems listed never contain a secret's value. */
export function parseEnv(env: NodeJS.ProcessEnv): { ok: true; env: HealthWorkerEnv } | { ok: false; problems: string[] } {
  const r = HealthWorkerEnvSchema.safeParse(env);
  if (!r.success) return { ok: false, problems: envProblems(r.error) };
  return { ok: true, env: Object.assign({}, r.data, clusterEnv(r.data)) };
}
