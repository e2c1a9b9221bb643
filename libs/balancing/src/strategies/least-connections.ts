import { z } from "zod";
import { parseOptions } from "../options.js";
import { OrderBuffer } from "../order-helpers.js";
import type { BalancingStrategy, Candidate } from "../types.js";

const Options = z.object({}).strict();

/** Fewest requests in flight relative to the weight (weighted least connections); ties go round robin. */
export const leastConnections: BalancingStrategy = {
  name: "least_connections",
  description: "Fewest in-flight requests per unit of weight; ties in turn.",
  create(candidates, options) {
    parseOptions(Options, options, "least_connections");
    const buf = new OrderBuffer(candidates);
    let turn = 0;
    return {
      order(hints) {
        buf.classify(hints.now);
        for (let i = 0; i < buf.n; i++) {
          const c = candidates[i] as Candidate;
          buf.key[i] = c.health.inFlight / c.weight;
        }
        return buf.emit(buf.minLead(turn++));
      },
      explain(ordered) {
        const first = ordered[0] as Candidate;
        return `least connections: ${first.id} has ${first.health.inFlight} in flight (weight ${first.weight})`;
      },
    };
  },
};
