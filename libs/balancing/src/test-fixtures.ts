import type { Price } from "@ai-router/contracts";
import { TargetHealth } from "./target-health.js";
import type { Candidate, RequestHints } from "./types.js";

/** The live state a test gives one candidate. */
export interface CandidateSpec {
  provider?: string;
  weight?: number;
  preferred?: boolean;
  priority?: number;
  price?: Price;
  /** Breaker open at `NOW` (cooldown 1 s). */
  open?: boolean;
  latencyMs?: number;
  ttftMs?: number;
  successRate?: number;
  inFlight?: number;
}

/** The clock every fixture is built at. */
export const NOW = 1_700_000_000_000;

/** Builds candidates (providers p0, p1, ... unless named) with the given live state. */
export function makeCandidates(specs: readonly CandidateSpec[]): Candidate[] {
  return specs.map((s, i) => {
    const h = new TargetHealth({ failureThreshold: 1, cooldownMs: 1000 });
    if (s.open) {
      h.begin(NOW);
      h.failure(NOW);
    }
    if (s.latencyMs !== undefined) h.latencyMs = s.latencyMs;
    if (s.ttftMs !== undefined) h.ttftMs = s.ttftMs;
    if (s.successRate !== undefined) h.successRate = s.successRate;
    if (s.latencyMs !== undefined || s.successRate !== undefined) h.lastOutcomeAt = NOW;
    h.inFlight = s.inFlight ?? 0;
    const provider = s.provider ?? `p${i}`;
    return {
      id: `${provider}/m${i}`,
      provider,
      upstreamModel: `m${i}`,
      weight: s.weight ?? 1,
      preferred: s.preferred ?? false,
      priority: s.priority ?? 0,
      price: s.price,
      health: h,
    };
  });
}

export function hints(over: Partial<RequestHints> = {}): RequestHints {
  return { promptTokens: 1000, maxTokens: 500, stream: false, now: NOW, ...over };
}
