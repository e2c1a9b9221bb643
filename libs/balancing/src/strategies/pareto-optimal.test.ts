import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { arbSpecs } from "../conformance.js";
import { dominates, objectivesOf } from "../objectives.js";
import { getStrategy } from "../registry.js";
import { seededRng } from "../rng.js";
import { hints, makeCandidates, NOW } from "../test-fixtures.js";

const pareto = getStrategy("pareto_optimal")!;
const settings = { default_output_tokens: 512, stale_after_ms: 60_000 };

describe("pareto_optimal", () => {
  it("never picks a candidate dominated by another candidate of its group (property)", () => {
    fc.assert(
      fc.property(
        arbSpecs,
        fc.record({ latency: fc.double({ min: 0, max: 5, noNaN: true }), cost: fc.double({ min: 0, max: 5, noNaN: true }) }),
        fc.integer(),
        (specs, w, seed) => {
          const cands = makeCandidates(specs);
          const b = pareto.create(cands, { weights: { latency: w.latency, cost: w.cost, error_rate: 1 }, epsilon: 0.3 }, seededRng(seed));
          for (let k = 0; k < 5; k++) {
            const h = hints();
            const first = b.order(h)[0]!;
            if (!first.health.available(NOW)) continue;
            const group = cands.filter((c) => c.health.available(NOW) && c.priority === first.priority && c.preferred === first.preferred);
            const mine = objectivesOf(first, h, settings);
            for (const other of group) expect(dominates(objectivesOf(other, h, settings), mine)).toBe(false);
          }
        },
      ),
      { numRuns: 300, seed: 11 },
    );
  });

  const fastPricey = { latencyMs: 300, successRate: 0.99, price: { input_per_mtok: 10, output_per_mtok: 30 } };
  const slowCheap = { latencyMs: 2500, successRate: 0.99, price: { input_per_mtok: 0.2, output_per_mtok: 0.6 } };
  const dominated = { latencyMs: 3000, successRate: 0.9, price: { input_per_mtok: 12, output_per_mtok: 40 } };

  it("chooses inside the front by the preference weights", () => {
    const cands = makeCandidates([fastPricey, slowCheap, dominated]);
    const latencyFirst = pareto.create(cands, { weights: { latency: 5, cost: 1, error_rate: 1 }, epsilon: 0 }, seededRng(1));
    const costFirst = pareto.create(cands, { weights: { latency: 1, cost: 5, error_rate: 1 }, epsilon: 0 }, seededRng(1));
    expect(latencyFirst.order(hints())[0]!.provider).toBe("p0");
    expect(costFirst.order(hints())[0]!.provider).toBe("p1");
    expect(costFirst.order(hints())[2]!.provider).toBe("p2"); // the dominated one comes last
  });

  it("filters by the SLO first", () => {
    const cands = makeCandidates([fastPricey, slowCheap]);
    const b = pareto.create(cands, { weights: { latency: 0, cost: 1, error_rate: 0 }, max_latency_ms: 1000, epsilon: 0 }, seededRng(1));
    expect(b.order(hints())[0]!.provider).toBe("p0"); // the cheap one breaks the latency SLO
  });

  it("degrades to the least-violating candidate when none meets the SLO", () => {
    const cands = makeCandidates([fastPricey, slowCheap, dominated]);
    const b = pareto.create(cands, { max_latency_ms: 100, epsilon: 0 }, seededRng(1));
    const order = b.order(hints());
    expect(order).toHaveLength(3);
    expect(order[0]!.provider).toBe("p0"); // 300 ms overshoots least
    expect(b.explain!(order, hints())).toContain("none meets the SLO");
  });

  it("counts a missing price as the worst cost, not as free", () => {
    const cands = makeCandidates([
      { latencyMs: 500, successRate: 0.99 },
      { latencyMs: 500, successRate: 0.99, price: { input_per_mtok: 50, output_per_mtok: 50 } },
    ]);
    const b = pareto.create(cands, { epsilon: 0 }, seededRng(1));
    expect(b.order(hints())[0]!.provider).toBe("p1");
  });
});
