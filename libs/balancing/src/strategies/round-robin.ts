import { z } from "zod";
import { parseOptions } from "../options.js";
import { OrderBuffer } from "../order-helpers.js";
import type { BalancingStrategy } from "../types.js";

const Options = z.object({}).strict();

/** Each request starts one further along the lead group; the failover order continues the rotation. */
export const roundRobin: BalancingStrategy = {
  name: "round_robin",
  description: "Rotate through the healthy candidates of the best tier in turn (preferred ones first).",
  create(candidates, options) {
    parseOptions(Options, options, "round_robin");
    const buf = new OrderBuffer(candidates);
    const n = buf.n;
    let turn = 0;
    return {
      order(hints) {
        buf.classify(hints.now);
        const leader = buf.lead[turn++ % buf.leadCount] as number;
        for (let i = 0; i < n; i++) buf.key[i] = (i - leader + n) % n;
        return buf.emit(leader);
      },
      explain(ordered) {
        return `round robin turn ${turn} over ${buf.leadCount} candidate(s) of the lead group; picked ${ordered[0]?.id}`;
      },
    };
  },
};
