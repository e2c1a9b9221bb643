import { z } from "zod";
import { DEFAULT_OUTPUT_TOKENS, fmt } from "../estimates.js";
import { normalize, ObjectiveTable, rangeOf } from "../objectives.js";
import { parseOptions } from "../options.js";
import { OrderBuffer } from "../order-helpers.js";
import type { BalancingStrategy } from "../types.js";

const Options = z
  .object({
    /** Weights of the normalised objectives (the original's hybrid mix by default). */
    weights: z
      .object({
        error_rate: z.number().min(0).default(0.4),
        latency: z.number().min(0).default(0.3),
        cost: z.number().min(0).default(0.2),
        connections: z.number().min(0).default(0.1),
      })
      .strict()
      .default({ error_rate: 0.4, latency: 0.3, cost: 0.2, connections: 0.1 }),
    epsilon: z.number().min(0).max(1).default(0.02),
    default_output_tokens: z.number().int().positive().default(DEFAULT_OUTPUT_TOKENS),
    stale_after_ms: z.number().positive().default(60_000),
  })
  .strict();

/**
 * One weighted score over min-max normalised error rate, latency, cost and in-flight requests (the
 * original's `hybrid`, with its cost bug fixed: a higher cost lowers the rank). Lowest score first.
 */
export const hybrid: BalancingStrategy = {
  name: "hybrid",
  description: "Weighted sum of normalised error rate, latency, cost and in-flight count (lowest first).",
  options: {
    weights: "{error_rate 0.4, latency 0.3, cost 0.2, connections 0.1} by default",
    epsilon: "share of random picks inside the lead group (default 0.02)",
    default_output_tokens: "output tokens assumed when the request sets no max (default 512)",
    stale_after_ms: "measurements older than this count as unknown (default 60000)",
  },
  create(candidates, options, rng) {
    const o = parseOptions(Options, options, "hybrid");
    const w = o.weights;
    const buf = new OrderBuffer(candidates);
    const t = new ObjectiveTable(candidates, o);
    let turn = 0;
    let explored = false;
    return {
      order(hints) {
        buf.classify(hints.now);
        t.fill(hints);
        const L = rangeOf(t.latency, buf.lead, buf.leadCount);
        const C = rangeOf(t.cost, buf.lead, buf.leadCount);
        const E = rangeOf(t.errorRate, buf.lead, buf.leadCount);
        const N = rangeOf(t.inFlight, buf.lead, buf.leadCount);
        for (let i = 0; i < buf.n; i++) {
          buf.key[i] =
            w.error_rate * normalize(t.errorRate[i] as number, E.min, E.max) +
            w.latency * normalize(t.latency[i] as number, L.min, L.max) +
            w.cost * normalize(t.cost[i] as number, C.min, C.max) +
            w.connections * normalize(t.inFlight[i] as number, N.min, N.max);
        }
        explored = buf.leadCount > 1 && o.epsilon > 0 && rng() < o.epsilon;
        const leader = explored ? (buf.lead[Math.floor(rng() * buf.leadCount)] as number) : buf.minLead(turn++);
        return buf.emit(leader);
      },
      explain(ordered) {
        const parts = ordered.slice(0, 3).map((c) => `${c.id} ${fmt(buf.key[candidates.indexOf(c)], 3)}`);
        return `hybrid score (lower wins${explored ? "; this one an epsilon exploration" : ""}): ${parts.join(", ")}`;
      },
    };
  },
};
