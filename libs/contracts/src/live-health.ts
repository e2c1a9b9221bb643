import { z } from "zod";

/**
 * Live health for the console (`GET /v1/db/health`, `POST /v1/db/providers/{id}/test`): each proxy
 * replica reports its targets' breakers and moving averages over NATS, the control plane keeps the last
 * report of each replica and the last probe result of each provider.
 */

/** One target (model x provider) as one replica sees it: breaker and moving averages. */
export const TargetSnapshot = z
  .object({
    model: z.string(),
    provider: z.string(),
    upstream_model: z.string(),
    /** `closed`, `open` or `half_open`. */
    breaker: z.string(),
    available: z.boolean(),
    in_flight: z.number(),
    requests: z.number(),
    failures: z.number(),
    consecutive_failures: z.number(),
    success_rate: z.number(),
    /** Moving averages; null before the first sample. */
    latency_ms: z.number().nullable(),
    ttft_ms: z.number().nullable(),
    tokens_per_s: z.number().nullable(),
    probe_down: z.boolean(),
    probe_latency_ms: z.number().nullable(),
    last_probe_at: z.string().nullable(),
  })
  .loose();
export type TargetSnapshot = z.infer<typeof TargetSnapshot>;

/** Targets in one targets message (about 400 bytes each: well under NATS's 1 MB payload limit). */
export const TARGETS_PER_PART = 1_000;

/** What a proxy replica publishes every few seconds on `natsSubjects.targets` (read tolerantly: additive fields). */
export const TargetsReport = z
  .object({
    replica: z.string().min(1).max(128),
    /** Unix ms of the report. */
    at: z.number().int(),
    /** Routing-table revision the replica serves; null before its first table. */
    revision: z.number().int().nullable(),
    targets: z.array(TargetSnapshot).max(TARGETS_PER_PART),
    /**
     * A replica with more targets than fit one message sends its report in `parts` messages of the same
     * `at`, numbered from 0 (absent: one message). NATS refuses payloads over 1 MB by default.
     */
    part: z.number().int().min(0).optional(),
    parts: z.number().int().min(1).max(1_000).optional(),
  })
  .loose();
export type TargetsReport = z.infer<typeof TargetsReport>;

/** Splits a report into messages of at most `perPart` targets (one message when they fit). */
export function splitTargetsReport(r: TargetsReport, perPart = TARGETS_PER_PART): TargetsReport[] {
  if (r.targets.length <= perPart) return [r];
  const parts = Math.ceil(r.targets.length / perPart);
  const out: TargetsReport[] = [];
  for (let i = 0; i < parts; i++) {
    out.push({
      replica: r.replica,
      at: r.at,
      revision: r.revision,
      targets: r.targets.slice(i * perPart, (i + 1) * perPart),
      part: i,
      parts,
    });
  }
  return out;
}

/** Core-NATS subject of the targets reports. */
export const targetsSubject = (bucket: string) => `ai-router.${bucket}.targets`;

/** The answer of `POST /v1/db/providers/{id}/test`: one probe, run now by the control plane. */
export const ProviderTestOut = z.object({
  provider: z.string(),
  ok: z.boolean(),
  /** HTTP status; null when no answer came (refused, timed out) or the provider answers locally. */
  status: z.number().int().nullable(),
  latency_ms: z.number(),
  /** Why it failed, secrets masked; null on success. */
  error: z.string().nullable(),
  /** What was requested (method and URL, no secret). */
  request: z.string().nullable(),
  checked_at: z.string(),
});
export type ProviderTestOut = z.infer<typeof ProviderTestOut>;

/** The last health-worker probe of a provider, as the control plane heard it. */
export const ProbeOut = z.object({
  provider: z.string(),
  ok: z.boolean(),
  status: z.number().int().nullable(),
  latency_ms: z.number(),
  checked_at: z.string(),
  consecutive_failures: z.number().int(),
  error: z.string().nullable(),
});
export type ProbeOut = z.infer<typeof ProbeOut>;

/** `GET /v1/db/health`: probes per provider and the targets of every live replica. */
export const HealthViewOut = z.object({
  /** Revision of the last table this control plane published; null before the first. */
  revision: z.number().int().nullable(),
  nats: z.enum(["connected", "disconnected"]),
  probes: z.array(ProbeOut),
  replicas: z.array(
    z.object({ replica: z.string(), at: z.string(), revision: z.number().int().nullable(), targets: z.array(TargetSnapshot) }),
  ),
});
export type HealthViewOut = z.infer<typeof HealthViewOut>;
