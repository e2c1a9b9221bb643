import { z } from "zod";
import { DEFAULT_OUTPUT_TOKENS, expectedCost, fmt, isStale } from "../estimates.js";
import { parseOptions } from "../options.js";
import { OrderBuffer } from "../order-helpers.js";
import type { BalancingStrategy, Candidate } from "../types.js";

const Options = z
  .object({
    /** Candidates whose success rate is below this floor are used only after those above it. */
    min_success_rate: z.number().min(0).max(1).default(0.9),
    /** The original's knob: candidates above this expected USD cost per request come after those within it. */
    max_cost_threshold: z.number().positive().optional(),
    default_output_tokens: z.number().int().positive().default(DEFAULT_OUTPUT_TOKENS),
    /** A candidate below the floor with no outcome for this long is given another chance. */
    stale_after_ms: z.number().positive().default(30_000),
  })
  .strict();

const BELOW_FLOOR = 1e9;
const OVER_THRESHOLD = 1e6;

/**
 * Cheapest expected cost of this request (prompt tokens x input price + max tokens x output price),
 * among candidates meeting a success-rate floor. A candidate without a price is never treated as free:
 * it comes after every priced one. Equal prices share the load in turn.
 */
export const costOptimized: BalancingStrategy = {
  name: "cost_optimized",
  description: "Cheapest expected cost per request among candidates above a success-rate floor; unpriced ones last.",
  options: {
    min_success_rate: "success-rate floor, 0..1 (default 0.9)",
    max_cost_threshold: "USD per request; cheaper candidates first (original's knob, optional)",
    default_output_tokens: "output tokens assumed when the request sets no max (default 512)",
    stale_after_ms: "a below-floor candidate idle this long is tried again (default 30000)",
  },
  create(candidates, options) {
    const o = parseOptions(Options, options, "cost_optimized");
    const buf = new OrderBuffer(candidates);
    let turn = 0;
    const belowFloor = (c: Candidate, now: number) => c.health.successRate < o.min_success_rate && !isStale(c, now, o.stale_after_ms);
    return {
      order(hints) {
        buf.classify(hints.now);
        for (let i = 0; i < buf.n; i++) {
          const c = candidates[i] as Candidate;
          const cost = expectedCost(c, hints, o.default_output_tokens);
          let k = cost;
          if (o.max_cost_threshold !== undefined && cost > o.max_cost_threshold) k += OVER_THRESHOLD;
          if (belowFloor(c, hints.now)) k += BELOW_FLOOR;
          buf.key[i] = k;
        }
        return buf.emit(buf.minLead(turn++));
      },
      explain(ordered, hints) {
        const first = ordered[0] as Candidate;
        const cost = expectedCost(first, hints, o.default_output_tokens);
        const floor = belowFloor(first, hints.now)
          ? `below the ${o.min_success_rate} floor like every other`
          : `success ${fmt(first.health.successRate, 3)} >= ${o.min_success_rate}`;
        return `cheapest expected cost: ${first.id} $${fmt(cost * 1000, 4)} per 1k such requests (${floor})`;
      },
    };
  },
};
