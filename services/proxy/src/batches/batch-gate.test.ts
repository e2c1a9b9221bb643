import { describe, expect, it } from "vitest";
import { BatchGate } from "./batch-gate.js";

/** A replica's live requests in flight, as the server counts them (batch lines apart). */
function replica(liveThreshold: number, busyConcurrency: number, trickleMs = 60_000) {
  const r = { live: 0, load: 0 };
  const gate = new BatchGate({ liveThreshold, busyConcurrency, trickleMs }, { utilization: () => r.load });
  gate.attach({ liveInFlight: () => r.live, onRequestFinished: () => {} });
  /** A batch line arriving, admitted when the gate says. */
  const line = () => {
    let admitted = false;
    const p = gate
      .admit(() => false)
      .then(() => {
        admitted = true;
      });
    return {
      p,
      admitted: () => admitted,
      end() {
        gate.done();
        gate.finished(true);
      },
    };
  };
  return { r, gate, line };
}

const tick = () => new Promise((res) => setTimeout(res, 30));

describe("batch lines from the worker are held below this replica's live traffic", () => {
  it("runs every line at once on a quiet replica", async () => {
    const { line } = replica(2, 1);
    const ls = [line(), line(), line()];
    await Promise.all(ls.map((l) => l.p));
    expect(ls.every((l) => l.admitted())).toBe(true);
  });

  it("holds lines while live requests exceed the threshold, and lets them go when live traffic drops", async () => {
    const { r, gate, line } = replica(2, 1);
    r.live = 3;
    const l = line();
    await tick();
    expect(l.admitted()).toBe(false);
    r.live = 0;
    gate.finished(false);
    // Live traffic ended just now: busy for 100 ms, one line at a time.
    await l.p;
    const second = line();
    await tick();
    expect(second.admitted()).toBe(false);
    l.end();
    await second.p;
    expect(second.admitted()).toBe(true);
  });

  it("while live traffic is about (under the threshold), runs at most busyConcurrency lines", async () => {
    const { r, line } = replica(10, 2);
    r.live = 1;
    const ls = [line(), line(), line()];
    await tick();
    expect(ls.map((l) => l.admitted())).toEqual([true, true, false]);
    ls[0]!.end();
    await ls[2]!.p;
    expect(ls[2]!.admitted()).toBe(true);
  });

  it("holds lines while live traffic keeps the event loop busy, and lets one through per trickle period", async () => {
    const { r, gate, line } = replica(10, 1, 150);
    r.live = 1;
    r.load = 0.95;
    const first = line();
    const t0 = performance.now();
    await first.p;
    // Nothing started before: the trickle lets the first line go at once, then waits its period.
    const second = line();
    first.end();
    await tick();
    expect(second.admitted()).toBe(false);
    await second.p;
    expect(performance.now() - t0).toBeGreaterThanOrEqual(140);
    second.end();
    // The loop has room again: the next line goes without waiting for the trickle.
    r.load = 0.1;
    const third = line();
    gate.finished(false);
    await third.p;
    expect(performance.now() - t0).toBeLessThan(5_000);
  });
});
