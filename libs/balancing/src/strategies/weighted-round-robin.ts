import { finalizeOrder } from "../order-helpers.js";
import type { BalancingStrategy, Candidate } from "../types.js";

/**
 * Smooth weighted round robin (nginx): over a cycle each candidate is picked in exact proportion to
 * its weight, interleaved rather than in runs. Only available candidates take part, so the weights of
 * a candidate in cooldown spread over the others. A preferred, available candidate always leads.
 */
export const weightedRoundRobin: BalancingStrategy = {
  name: "weighted_round_robin",
  description: "Smooth weighted round robin (nginx-style); preferred candidates lead.",
  create(candidates) {
    const list = [...candidates];
    const current = new Float64Array(list.length);
    return {
      order(hints) {
        const now = hints.now;
        let total = 0;
        let best = -1;
        let bestPreferred = false;
        for (let i = 0; i < list.length; i++) {
          const c = list[i] as Candidate;
          if (!c.health.available(now)) continue;
          current[i] = (current[i] as number) + c.weight;
          total += c.weight;
          // A preferred candidate beats a non-preferred one; among equals the highest current weight wins.
          if (
            best < 0 ||
            (c.preferred && !bestPreferred) ||
            (c.preferred === bestPreferred && (current[i] as number) > (current[best] as number))
          ) {
            best = i;
            bestPreferred = c.preferred;
          }
        }
        if (best >= 0) current[best] = (current[best] as number) - total;
        const first = best >= 0 ? (list[best] as Candidate) : undefined;
        const rest = list.filter((c) => c !== first).sort((a, b) => Number(b.preferred) - Number(a.preferred) || b.weight - a.weight);
        return finalizeOrder(first ? [first, ...rest] : rest, now);
      },
    };
  },
};
