import { z } from "zod";
import { fmt } from "../estimates.js";
import { parseOptions } from "../options.js";
import { OrderBuffer } from "../order-helpers.js";
import type { BalancingStrategy, Candidate, RequestHints } from "../types.js";

const Options = z
  .object({
    /** Probability of sending a request to a random lead-group candidate, so a recovered one gets measured again. */
    epsilon: z.number().min(0).max(1).default(0.05),
    /** Power of two choices: compare two random candidates instead of taking the best (spreads load). */
    p2c: z.boolean().default(false),
    /** Milliseconds added per unit of error rate (a failure costs a failover). */
    failure_penalty_ms: z.number().min(0).default(2000),
    /** Milliseconds added per request in flight on the candidate. */
    inflight_penalty_ms: z.number().min(0).default(0),
    /** A measurement older than this counts as unknown, so the candidate is tried again. */
    stale_after_ms: z.number().positive().default(60_000),
  })
  .strict();
type Options = z.infer<typeof Options>;

/** The expected-latency score of one candidate (lower is better); unmeasured or stale = 0, tried first. */
export function performanceScore(c: Candidate, hints: RequestHints, o: Options): number {
  const h = c.health;
  const lat = h.expectedLatency(hints.stream);
  if (lat === undefined || hints.now - h.lastOutcomeAt > o.stale_after_ms) return 0;
  return lat + h.errorRate * o.failure_penalty_ms + h.inFlight * o.inflight_penalty_ms;
}

/**
 * Lowest expected latency (EWMA time to first token for streams, total for JSON) penalised by the
 * error rate. Exploration keeps measurements honest: an epsilon of random picks, optional
 * power-of-two-choices, and stale measurements that count as unknown.
 */
export const performanceBased: BalancingStrategy = {
  name: "performance_based",
  description: "Lowest EWMA latency (TTFT for streams) penalised by error rate, with epsilon / power-of-two exploration.",
  options: {
    epsilon: "share of random picks inside the lead group (default 0.05)",
    p2c: "power of two choices instead of the global best (default false)",
    failure_penalty_ms: "ms added per unit of error rate (default 2000)",
    inflight_penalty_ms: "ms added per in-flight request (default 0)",
    stale_after_ms: "measurements older than this count as unknown (default 60000)",
  },
  create(candidates, options, rng) {
    const o = parseOptions(Options, options, "performance_based");
    const buf = new OrderBuffer(candidates);
    let turn = 0;
    let mode: "best" | "explore" | "p2c" = "best";
    let rival = -1;
    return {
      order(hints) {
        buf.classify(hints.now);
        for (let i = 0; i < buf.n; i++) buf.key[i] = performanceScore(candidates[i] as Candidate, hints, o);
        const m = buf.leadCount;
        let leader: number;
        if (m > 1 && o.epsilon > 0 && rng() < o.epsilon) {
          mode = "explore";
          leader = buf.lead[Math.floor(rng() * m)] as number;
        } else if (m > 2 && o.p2c) {
          mode = "p2c";
          const a = buf.lead[Math.floor(rng() * m)] as number;
          let b = buf.lead[Math.floor(rng() * (m - 1))] as number;
          if (b === a) b = buf.lead[m - 1] as number;
          leader = (buf.key[b] as number) < (buf.key[a] as number) ? b : a;
          rival = leader === a ? b : a;
        } else {
          mode = "best";
          leader = buf.minLead(turn++);
        }
        return buf.emit(leader);
      },
      explain(ordered, hints) {
        const first = ordered[0] as Candidate;
        const s = (c: Candidate) => `${c.id} score ${fmt(performanceScore(c, hints, o))}ms`;
        const second = ordered[1];
        if (mode === "explore") return `exploring (epsilon ${o.epsilon}): random pick ${s(first)}`;
        if (mode === "p2c") return `power of two choices: ${s(first)} beat ${s(candidates[rival] as Candidate)}`;
        return `lowest expected latency: ${s(first)}${second ? `; next ${s(second)}` : ""}`;
      },
    };
  },
};
