import { randomBytes } from "node:crypto";
import { createSigner } from "@ai-router/contracts";
import { createLogger } from "@ai-router/logger";
import { describe, expect, it } from "vitest";
import { StatsAggregator } from "./stats-aggregator.js";

describe("StatsAggregator", () => {
  it("forgets replicas that stopped reporting without anyone reading /v1/stats (restarts do not grow the map)", () => {
    const agg = new StatsAggregator("b", createLogger({ name: "t", level: "silent" }), createSigner(randomBytes(32)), 15_000);
    const t0 = 1_800_000_000_000;
    // 2000 restarts, one every 10 s, each a new replica id that reports a few times and then goes away.
    for (let i = 0; i < 2000; i++) {
      const at = t0 + i * 10_000;
      for (let k = 0; k < 3; k++) agg.take({ replica: `host-${i}-${k}`, at: at + k * 2_000, models: {} }, at + k * 2_000);
    }
    expect(agg.size).toBeLessThan(20);
    const live = agg.snapshot(t0 + 1999 * 10_000 + 4_000);
    expect(live.replicas).toBeGreaterThan(0);
  });
});
