import { z } from "zod";
import { parseOptions } from "../options.js";
import { OrderBuffer } from "../order-helpers.js";
import type { BalancingStrategy, Candidate } from "../types.js";

const Options = z.object({}).strict();

/**
 * Smooth weighted round robin (nginx): over a cycle each candidate is picked in exact proportion to
 * its weight, interleaved rather than in runs. Only the lead group (available, best tier, preferred if
 * any) takes part, so the weights of a candidate in cooldown spread over the others. Failover order:
 * by weight, heaviest first.
 */
export const weightedRoundRobin: BalancingStrategy = {
  name: "weighted_round_robin",
  description: "Smooth weighted round robin (nginx-style): exact proportions over a cycle, interleaved.",
  create(candidates, options) {
    parseOptions(Options, options, "weighted_round_robin");
    const buf = new OrderBuffer(candidates);
    const current = new Float64Array(buf.n);
    for (let i = 0; i < buf.n; i++) buf.key[i] = -(candidates[i] as Candidate).weight;
    return {
      order(hints) {
        buf.classify(hints.now);
        let total = 0;
        let best = -1;
        for (let j = 0; j < buf.leadCount; j++) {
          const i = buf.lead[j] as number;
          const w = (candidates[i] as Candidate).weight;
          current[i] = (current[i] as number) + w;
          total += w;
          if (best < 0 || (current[i] as number) > (current[best] as number)) best = i;
        }
        current[best] = (current[best] as number) - total;
        return buf.emit(best);
      },
      explain(ordered) {
        const first = ordered[0];
        let total = 0;
        for (let j = 0; j < buf.leadCount; j++) total += (candidates[buf.lead[j] as number] as Candidate).weight;
        return `smooth weighted round robin: ${first?.id} has weight ${first?.weight} of ${total} in the lead group`;
      },
    };
  },
};
