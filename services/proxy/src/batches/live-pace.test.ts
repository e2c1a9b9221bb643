import { describe, expect, it } from "vitest";
import { LoopLoad, lineMayStart, PACE_DEFAULTS, type PaceState } from "./live-pace.js";

const state = (s: Partial<Omit<PaceState, "load">> & { load?: number }): PaceState => ({
  live: s.live ?? 0,
  lines: s.lines ?? 0,
  sinceLive: s.sinceLive ?? Number.POSITIVE_INFINITY,
  sinceLine: s.sinceLine ?? Number.POSITIVE_INFINITY,
  load: () => s.load ?? 0,
});

describe("batch lines keep below live traffic", () => {
  it("runs freely on a quiet replica, whatever the loop's load", () => {
    expect(lineMayStart(state({ lines: 7, load: 1 }), PACE_DEFAULTS)).toBe(true);
  });

  it("never starts a line while more live requests than the threshold are in flight", () => {
    expect(lineMayStart(state({ live: 33, sinceLine: 1e9 }), PACE_DEFAULTS)).toBe(false);
    expect(lineMayStart(state({ live: 32 }), PACE_DEFAULTS)).toBe(true);
  });

  it("with live traffic about, runs busyConcurrency lines and only while the loop has room", () => {
    const o = PACE_DEFAULTS;
    expect(lineMayStart(state({ live: 1, lines: 1, load: 0 }), o)).toBe(false);
    expect(lineMayStart(state({ live: 1, load: 0.2, sinceLine: 10 }), o)).toBe(true);
    expect(lineMayStart(state({ live: 1, load: 0.9, sinceLine: 10 }), o)).toBe(false);
    // A live request that ended 50 ms ago still counts as traffic about.
    expect(lineMayStart(state({ sinceLive: 50, load: 0.9, sinceLine: 10 }), o)).toBe(false);
    expect(lineMayStart(state({ sinceLive: 150, load: 0.9, sinceLine: 10 }), o)).toBe(true);
  });

  it("lets one line through per trickle period under a saturated loop, so a batch still ends", () => {
    expect(lineMayStart(state({ live: 5, load: 1, sinceLine: 999 }), PACE_DEFAULTS)).toBe(false);
    expect(lineMayStart(state({ live: 5, load: 1, sinceLine: 1000 }), PACE_DEFAULTS)).toBe(true);
  });

  it("reads the loop as busy while it is blocked and as idle while it waits", async () => {
    const load = new LoopLoad(50);
    load.utilization();
    const until = performance.now() + 120;
    while (performance.now() < until) {
      /* a blocked loop */
    }
    expect(load.utilization()).toBeGreaterThan(0.8);
    await new Promise((r) => setTimeout(r, 200));
    expect(load.utilization()).toBeLessThan(0.5);
  });
});
