import { describe, expect, it } from "vitest";
import { describeStrategies, getStrategy, strategyNames } from "../registry.js";
import { seededRng } from "../rng.js";
import { hints, makeCandidates } from "../test-fixtures.js";

describe("registry", () => {
  it("accepts every name of the original implementation", () => {
    for (const n of [
      "auto",
      "specified_provider",
      "fallback",
      "weighted_round_robin",
      "least_connections",
      "response_time",
      "cost_optimized",
      "hybrid",
    ]) {
      expect(strategyNames()).toContain(n);
    }
    expect(getStrategy("auto")!.name).toBe("pareto_optimal");
    expect(getStrategy("response_time")!.name).toBe("performance_based");
    expect(describeStrategies().find((s) => s.name === "pareto_optimal")!.aliases).toEqual(["auto"]);
  });

  it("rejects bad options with a message a config author can act on", () => {
    const c = makeCandidates([{}]);
    expect(() => getStrategy("pareto_optimal")!.create(c, { max_error_rate: 2 }, Math.random)).toThrow(
      /invalid strategy_options for pareto_optimal: "max_error_rate": .*1/,
    );
    expect(() => getStrategy("performance_based")!.create(c, { epsilon: "x" }, Math.random)).toThrow(/"epsilon"/);
  });
});

describe("least_connections", () => {
  it("sends to the candidate with the fewest requests in flight per weight", () => {
    const b = getStrategy("least_connections")!.create(
      makeCandidates([{ inFlight: 4 }, { inFlight: 1 }, { inFlight: 4, weight: 2 }]),
      {},
      Math.random,
    );
    expect(b.order(hints()).map((c) => c.provider)).toEqual(["p1", "p2", "p0"]);
  });
});

describe("fallback", () => {
  it("always starts with the first healthy candidate of the best tier", () => {
    const cands = makeCandidates([{ priority: 1 }, { open: true }, {}, {}]);
    const b = getStrategy("fallback")!.create(cands, {}, Math.random);
    for (let k = 0; k < 5; k++) expect(b.order(hints()).map((c) => c.provider)).toEqual(["p2", "p3", "p0", "p1"]);
  });

  it("puts preferred_provider first in its tier and refuses an unknown one", () => {
    const cands = makeCandidates([{}, {}, {}]);
    expect(getStrategy("fallback")!.create(cands, { preferred_provider: "p2" }, Math.random).order(hints())[0]!.provider).toBe("p2");
    expect(() => getStrategy("fallback")!.create(cands, { preferred_provider: "nope" }, Math.random)).toThrow(/"nope"/);
  });
});

describe("specified_provider", () => {
  it("pins the model to the provider, with no failover by default", () => {
    const cands = makeCandidates([{}, { provider: "pinned" }, {}]);
    const b = getStrategy("specified_provider")!.create(cands, { specified_provider: "pinned" }, Math.random);
    expect(b.order(hints()).map((c) => c.provider)).toEqual(["pinned"]);
  });

  it("with failover, hands over while the pinned provider's breaker is open", () => {
    const cands = makeCandidates([{}, { provider: "pinned", open: true }]);
    const b = getStrategy("specified_provider")!.create(cands, { specified_provider: "pinned", failover: true }, Math.random);
    expect(b.order(hints()).map((c) => c.provider)).toEqual(["p0", "pinned"]);
    expect(b.explain!(b.order(hints()), hints())).toContain("failing over");
  });

  it("refuses a provider the model does not have, and a missing name", () => {
    const cands = makeCandidates([{}]);
    expect(() => getStrategy("specified_provider")!.create(cands, { specified_provider: "x" }, Math.random)).toThrow(/"x" is not one of/);
    expect(() => getStrategy("specified_provider")!.create(cands, {}, Math.random)).toThrow(/specified_provider/);
  });
});

describe("hybrid", () => {
  it("ranks a reliable, fast, cheap, idle candidate over a flaky busy one", () => {
    const price = { input_per_mtok: 1, output_per_mtok: 2 };
    const cands = makeCandidates([
      { latencyMs: 900, successRate: 0.7, inFlight: 5, price },
      { latencyMs: 400, successRate: 0.99, inFlight: 0, price },
    ]);
    const b = getStrategy("hybrid")!.create(cands, { epsilon: 0 }, seededRng(1));
    expect(b.order(hints())[0]!.provider).toBe("p1");
  });
});
