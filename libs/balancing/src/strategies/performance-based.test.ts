import { describe, expect, it } from "vitest";
import { getStrategy } from "../registry.js";
import { seededRng } from "../rng.js";
import { hints, makeCandidates, NOW } from "../test-fixtures.js";

const perf = getStrategy("performance_based")!;

describe("performance_based", () => {
  it("prefers the lowest latency, using TTFT for streams", () => {
    const cands = makeCandidates([
      { latencyMs: 900, ttftMs: 100 },
      { latencyMs: 500, ttftMs: 400 },
    ]);
    const b = perf.create(cands, { epsilon: 0 }, seededRng(1));
    expect(b.order(hints({ stream: false }))[0]!.provider).toBe("p1");
    expect(b.order(hints({ stream: true }))[0]!.provider).toBe("p0");
  });

  it("penalises a fast candidate that fails often", () => {
    const cands = makeCandidates([
      { latencyMs: 200, successRate: 0.6 },
      { latencyMs: 600, successRate: 1 },
    ]);
    const b = perf.create(cands, { epsilon: 0 }, seededRng(1));
    expect(b.order(hints())[0]!.provider).toBe("p1");
  });

  it("tries unmeasured candidates first so they get measured", () => {
    const b = perf.create(makeCandidates([{ latencyMs: 100 }, {}]), { epsilon: 0 }, seededRng(1));
    expect(b.order(hints())[0]!.provider).toBe("p1");
  });

  it("explores: a once-slow candidate keeps receiving a small share, so its recovery is seen", () => {
    const cands = makeCandidates([{ latencyMs: 3000 }, { latencyMs: 300 }]);
    const b = perf.create(cands, { epsilon: 0.05 }, seededRng(3));
    let slow = 0;
    for (let k = 0; k < 4000; k++) if (b.order(hints())[0]!.provider === "p0") slow++;
    expect(slow).toBeGreaterThan(40); // ~2.5% expected
    expect(slow).toBeLessThan(200);
    // With no exploration at all, a stale measurement still earns a new look.
    const noEps = perf.create(cands, { epsilon: 0, stale_after_ms: 10_000 }, seededRng(3));
    cands[1]!.health.lastOutcomeAt = NOW + 15_000; // the fast one keeps getting traffic
    expect(noEps.order(hints({ now: NOW + 5_000 }))[0]!.provider).toBe("p1");
    expect(noEps.order(hints({ now: NOW + 20_000 }))[0]!.provider).toBe("p0");
  });

  it("power of two choices never picks the worst of three", () => {
    const cands = makeCandidates([{ latencyMs: 100 }, { latencyMs: 200 }, { latencyMs: 5000 }]);
    const b = perf.create(cands, { epsilon: 0, p2c: true }, seededRng(9));
    const firsts = new Set(Array.from({ length: 500 }, () => b.order(hints())[0]!.provider));
    expect(firsts).toEqual(new Set(["p0", "p1"]));
  });
});
