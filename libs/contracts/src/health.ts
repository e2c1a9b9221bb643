import { z } from "zod";
import { tolerant } from "./wire.js";

/**
 * Active health probes (services/health-worker): the queue job, the report published to the proxies, and
 * the Redis keys the results live under. Everything is scoped by the routing bucket name so several
 * environments (and test runs) can share one Redis and one NATS without seeing each other.
 */

/** Defaults shared by the worker and the proxies. */
export const healthDefaults = {
  /** How often each provider is probed (`HEALTH_PROBE_INTERVAL_MS`). */
  intervalMs: 30_000,
  /** Consecutive failed probes after which the proxies skip the provider's targets. */
  failureThreshold: 2,
  /** Upper bound of one probe, whatever the provider's own `timeoutMs`. */
  maxProbeTimeoutMs: 10_000,
  /** Recent successful latencies kept per provider in Redis. */
  latencySamples: 50,
} as const;

/** BullMQ names: one queue per bucket, one job scheduler per probed provider. */
export const healthQueue = {
  /** Queue name (BullMQ forbids `:` in it). */
  name: "health-probes",
  /** Redis key prefix of the queue, in place of BullMQ's default `bull`. */
  prefix: (bucket: string) => `ai-router:${bucket}:bull`,
  /** Job name of a probe. */
  jobName: "probe",
  /** Job scheduler id of a provider's probes. */
  schedulerId: (provider: string) => `probe:${provider}`,
  /** The provider of a scheduler id, or undefined for ids this code did not make. */
  providerOf: (schedulerId: string): string | undefined => (schedulerId.startsWith("probe:") ? schedulerId.slice(6) : undefined),
} as const;

/** Redis keys of the probe results. */
export const healthKeys = {
  /** Everything this feature writes for a bucket starts with this. */
  prefix: (bucket: string) => `ai-router:${bucket}:health:`,
  /** Hash: ok, status, latencyMs, checkedAt, consecutiveFailures, lastError, lastOkAt, type. */
  provider: (bucket: string, provider: string) => `ai-router:${bucket}:health:${provider}`,
  /** List, newest first: latencies (ms) of the recent successful probes. */
  latencies: (bucket: string, provider: string) => `ai-router:${bucket}:health:${provider}:latencies`,
} as const;

/**
 * A probe job's payload. Only the provider's name travels through Redis: the worker looks its base URL
 * and keys up in the routing table it holds in memory, so no secret is ever stored in a job.
 */
const HealthProbeJobShape = z
  .object({
    /** Provider name, as in the routing table. */
    provider: z.string().min(1).max(256),
  })
  .strict();
/** Read tolerantly: a field a newer release adds is ignored, never a refusal. */
export const HealthProbeJob = tolerant(HealthProbeJobShape);
export type HealthProbeJob = z.infer<typeof HealthProbeJobShape>;

/** One probe's outcome, published on `natsSubjects.health(bucket)` and mirrored in Redis. */
const ProbeReportShape = z
  .object({
    provider: z.string().min(1).max(256),
    /** True when the provider answered the probe with a 2xx (or is a local `mock` provider). */
    ok: z.boolean(),
    /** HTTP status of the answer; null when none came (refused, timed out, local provider). */
    status: z.number().int().min(100).max(599).nullable(),
    /** Time to the complete answer (or to the failure), ms. */
    latencyMs: z.number().nonnegative(),
    /** Unix ms the probe finished. */
    checkedAt: z.number().int().nonnegative(),
    /** Failed probes in a row, this one included (0 after a success). */
    consecutiveFailures: z.number().int().nonnegative(),
    /** Why it failed, secrets masked; null on success. */
    error: z.string().max(500).nullable(),
    /** The worker's probe interval: a verdict older than a few intervals is stale. */
    intervalMs: z.number().int().positive(),
  })
  .strict();
/** Read tolerantly: a field a newer release adds is ignored, never a refusal. */
export const ProbeReport = tolerant(ProbeReportShape);
export type ProbeReport = z.infer<typeof ProbeReportShape>;

/** What an operator may set with `PUT /v1/providers/{name}/health`: healthy/auto put a provider back. */
export type SetProviderHealth = "healthy" | "degraded" | "unhealthy" | "auto";
/** The verdict kept on a provider's targets; undefined = live health decides. */
export type ManualHealth = "unhealthy" | "degraded";
export const SetProviderHealthSchema = z.enum(["healthy", "degraded", "unhealthy", "auto"]);
export const manualHealthOf = (s: SetProviderHealth): ManualHealth | undefined => (s === "unhealthy" || s === "degraded" ? s : undefined);
