import { describe, expect, it } from "vitest";
import { getStrategy } from "../registry.js";
import { seededRng } from "../rng.js";
import { hints, makeCandidates } from "../test-fixtures.js";

const cost = getStrategy("cost_optimized")!;
const cheapInput = { input_per_mtok: 0.5, output_per_mtok: 10 };
const cheapOutput = { input_per_mtok: 5, output_per_mtok: 1 };

describe("cost_optimized", () => {
  it("uses the request's size: a long prompt goes to cheap input, a long answer to cheap output", () => {
    const b = cost.create(makeCandidates([{ price: cheapInput }, { price: cheapOutput }]), {}, seededRng(1));
    expect(b.order(hints({ promptTokens: 50_000, maxTokens: 100 }))[0]!.provider).toBe("p0");
    expect(b.order(hints({ promptTokens: 100, maxTokens: 4000 }))[0]!.provider).toBe("p1");
  });

  it("never treats a candidate without a price as free", () => {
    const b = cost.create(makeCandidates([{}, { price: { input_per_mtok: 60, output_per_mtok: 120 } }]), {}, seededRng(1));
    expect(b.order(hints()).map((c) => c.provider)).toEqual(["p1", "p0"]);
  });

  it("skips a cheap candidate under the success-rate floor while a reliable one exists", () => {
    const cands = makeCandidates([
      { price: { input_per_mtok: 0.1, output_per_mtok: 0.1 }, successRate: 0.5 },
      { price: { input_per_mtok: 3, output_per_mtok: 9 }, successRate: 0.99 },
    ]);
    expect(cost.create(cands, {}, seededRng(1)).order(hints())[0]!.provider).toBe("p1");
    expect(cost.create(cands, { min_success_rate: 0.4 }, seededRng(1)).order(hints())[0]!.provider).toBe("p0");
  });

  it("shares the load between equally priced candidates", () => {
    const price = { input_per_mtok: 1, output_per_mtok: 1 };
    const b = cost.create(makeCandidates([{ price }, { price }]), {}, seededRng(1));
    const firsts = Array.from({ length: 10 }, () => b.order(hints())[0]!.provider);
    expect(firsts.filter((p) => p === "p0").length).toBe(5);
  });
});
