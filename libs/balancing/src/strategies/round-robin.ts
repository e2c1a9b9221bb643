import { finalizeOrder, preferredFirst } from "../order-helpers.js";
import type { BalancingStrategy, Candidate } from "../types.js";

/** Each request starts one further along the list; preferred candidates lead. */
export const roundRobin: BalancingStrategy = {
  name: "round_robin",
  description: "Rotate through the candidates in turn (preferred ones first).",
  create(candidates) {
    const list = preferredFirst([...candidates]);
    let next = 0;
    return {
      order(hints) {
        const n = list.length;
        const start = next++ % n;
        const out: Candidate[] = new Array(n);
        for (let i = 0; i < n; i++) out[i] = list[(start + i) % n] as Candidate;
        return finalizeOrder(out, hints.now);
      },
    };
  },
};
