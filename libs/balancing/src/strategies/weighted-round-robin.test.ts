import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { getStrategy } from "../registry.js";
import { seededRng } from "../rng.js";
import { hints, makeCandidates } from "../test-fixtures.js";

const wrr = getStrategy("weighted_round_robin")!;

describe("weighted_round_robin", () => {
  it("stays within 1% of the weights over 10,000 picks (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 20 }), { minLength: 1, maxLength: 8 }), (weights) => {
        const cands = makeCandidates(weights.map((weight) => ({ weight })));
        const b = wrr.create(cands, {}, seededRng(1));
        const counts = new Map<string, number>();
        for (let k = 0; k < 10_000; k++) {
          const id = b.order(hints())[0]!.id;
          counts.set(id, (counts.get(id) ?? 0) + 1);
        }
        const total = weights.reduce((a, b) => a + b, 0);
        cands.forEach((c, i) => {
          const share = (counts.get(c.id) ?? 0) / 10_000;
          expect(Math.abs(share - weights[i]! / total)).toBeLessThanOrEqual(0.01);
        });
      }),
      { numRuns: 100, seed: 5 },
    );
  });

  it("interleaves instead of sending runs (nginx's 5:1:1 sequence)", () => {
    const b = wrr.create(makeCandidates([{ weight: 5 }, { weight: 1 }, { weight: 1 }]), {}, Math.random);
    const seq = Array.from({ length: 7 }, () => b.order(hints())[0]!.provider).join(" ");
    expect(seq).toBe("p0 p0 p1 p0 p2 p0 p0");
  });

  it("spreads the share of a candidate in cooldown over the others, and fails over heaviest first", () => {
    const cands = makeCandidates([{ weight: 3, open: true }, { weight: 1 }, { weight: 2 }]);
    const b = wrr.create(cands, {}, Math.random);
    const firsts = Array.from({ length: 300 }, () => b.order(hints())[0]!.provider);
    expect(firsts.filter((p) => p === "p2").length).toBe(200);
    expect(firsts.filter((p) => p === "p1").length).toBe(100);
    const order = b.order(hints()).map((c) => c.provider);
    expect(order[2]).toBe("p0"); // open breaker last
  });
});
