import { describe, expect, it } from "vitest";
import { makeWorkload, runStrategy } from "./engine.js";
import { toRow } from "./report.js";
import { SCENARIO } from "./scenario.js";

// The first seven minutes: premium slow period, budget error burst, and the start of standard's outage.
const short = { ...SCENARIO, durationS: 420 };
const workload = makeWorkload(short);
const run = (strategy: string, options: Record<string, unknown> = {}) => toRow(runStrategy(short, workload, strategy, strategy, options));

describe("simulator", () => {
  it("is deterministic", () => {
    expect(run("performance_based")).toEqual(run("performance_based"));
  });

  it("shows the trade-offs the strategies promise", () => {
    const pinned = run("specified_provider", { specified_provider: "standard" });
    const cost = run("cost_optimized");
    const perf = run("performance_based");
    const rr = run("round_robin");
    // Pinning without failover passes the outage to clients; failover strategies hide it.
    expect(pinned.errorPct).toBeGreaterThan(5);
    expect(rr.errorPct).toBeLessThan(0.5);
    // Cost-optimised is the cheapest, performance-based the fastest at p95.
    expect(cost.costPer1k).toBeLessThan(rr.costPer1k / 2);
    expect(perf.p95).toBeLessThan(rr.p95);
    // The unpriced provider is never treated as free.
    expect(cost.share.unpriced).toBe(0);
  });
});
