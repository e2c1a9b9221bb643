import { z } from "zod";
import { parseOptions, StrategyOptionsError } from "../options.js";
import { OrderBuffer } from "../order-helpers.js";
import type { BalancingStrategy, Candidate } from "../types.js";

const Options = z
  .object({
    /** The original's knob: this provider's targets lead their tier. */
    preferred_provider: z.string().min(1).optional(),
  })
  .strict();

/**
 * Priority order: always the first healthy candidate of the best tier (config order inside a tier),
 * the others only as failover. Lower `priority` numbers win (the schema's meaning; the original sorted
 * descending by mistake).
 */
export const fallback: BalancingStrategy = {
  name: "fallback",
  description: "Fixed priority order: the first healthy candidate of the best tier; the rest are failover.",
  options: { preferred_provider: "provider whose targets lead their tier (optional)" },
  create(candidates, options) {
    const o = parseOptions(Options, options, "fallback");
    if (o.preferred_provider !== undefined && !candidates.some((c) => c.provider === o.preferred_provider)) {
      throw new StrategyOptionsError(`fallback: preferred_provider "${o.preferred_provider}" is not one of this model's providers`);
    }
    const buf = new OrderBuffer(candidates);
    for (let i = 0; i < buf.n; i++) buf.key[i] = (candidates[i] as Candidate).provider === o.preferred_provider ? i - buf.n : i;
    return {
      order(hints) {
        buf.classify(hints.now);
        return buf.emit(buf.minLead());
      },
      explain(ordered) {
        return `fallback: ${ordered[0]?.id} is the first healthy candidate in priority order`;
      },
    };
  },
};
