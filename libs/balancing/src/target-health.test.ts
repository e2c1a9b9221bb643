import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { TargetHealth } from "./target-health.js";

const T0 = 1_000_000;

function failN(h: TargetHealth, n: number, now = T0) {
  for (let i = 0; i < n; i++) {
    h.begin(now);
    h.failure(now);
  }
}

describe("TargetHealth breaker", () => {
  it("opens after N consecutive failures and allows one half-open trial after the cooldown", () => {
    const h = new TargetHealth({ failureThreshold: 3, cooldownMs: 1000 });
    failN(h, 2);
    expect(h.breakerAt(T0)).toBe("closed");
    failN(h, 1);
    expect(h.breakerAt(T0)).toBe("open");
    expect(h.available(T0 + 999)).toBe(false);
    expect(h.breakerAt(T0 + 1000)).toBe("half_open");
    expect(h.available(T0 + 1000)).toBe(true);
    h.begin(T0 + 1000); // the trial
    expect(h.available(T0 + 1001)).toBe(false); // only one trial at a time
    h.success(120, false, undefined, T0 + 1100);
    expect(h.breakerAt(T0 + 1100)).toBe("closed");
    expect(h.available(T0 + 1100)).toBe(true);
  });

  it("doubles the cooldown each time a trial fails, up to the cap, and resets after a success", () => {
    const h = new TargetHealth({ failureThreshold: 1, cooldownMs: 1000, maxBackoff: 4 });
    failN(h, 1, T0);
    let t = T0 + 1000;
    const waits: number[] = [];
    for (let k = 0; k < 4; k++) {
      expect(h.available(t)).toBe(true);
      h.begin(t);
      h.failure(t);
      let w = 0;
      while (!h.available(t + w)) w += 500;
      waits.push(w);
      t += w;
    }
    expect(waits).toEqual([2000, 4000, 4000, 4000]);
    h.begin(t);
    h.success(50, false, undefined, t);
    failN(h, 1, t);
    expect(h.available(t + 1000)).toBe(true); // back to the base cooldown
  });

  it("opens on an error ratio over the window even without consecutive failures", () => {
    const h = new TargetHealth({ failureThreshold: 100, cooldownMs: 1000, windowSize: 10, minRequests: 10, errorRatio: 0.5 });
    for (let i = 0; i < 11; i++) {
      h.begin(T0);
      if (i % 2 === 0) h.failure(T0);
      else h.success(100, false, undefined, T0);
    }
    expect(h.breakerAt(T0)).toBe("open");
    const healthy = new TargetHealth({ failureThreshold: 100, cooldownMs: 1000, windowSize: 10, minRequests: 10, errorRatio: 0.5 });
    for (let i = 0; i < 11; i++) {
      healthy.begin(T0);
      if (i % 3 === 0) healthy.failure(T0);
      else healthy.success(100, false, undefined, T0);
    }
    expect(healthy.breakerAt(T0)).toBe("closed");
  });

  it("takes new thresholds from a new table and keeps its state", () => {
    const h = new TargetHealth({ failureThreshold: 5, cooldownMs: 1000 });
    failN(h, 2);
    expect(h.breakerAt(T0)).toBe("closed");
    h.reconfigure({ failureThreshold: 3, cooldownMs: 60_000 });
    failN(h, 1); // the third failure in a row, under the new threshold
    expect(h.breakerAt(T0)).toBe("open");
    expect(h.breakerAt(T0 + 30_000)).toBe("open"); // the new cooldown
  });

  it("a client error (neutral) on the trial closes the breaker: the target answered", () => {
    const h = new TargetHealth({ failureThreshold: 1, cooldownMs: 1000 });
    failN(h, 1);
    h.begin(T0 + 1000);
    h.neutral();
    expect(h.breakerAt(T0 + 1000)).toBe("closed");
    expect(h.inFlight).toBe(0);
  });
});

describe("TargetHealth measurements", () => {
  it("keeps separate EWMAs for JSON latency and stream TTFT, and tokens per second when known", () => {
    const h = new TargetHealth({ failureThreshold: 3, cooldownMs: 1000 });
    h.begin(T0);
    h.success(1000, false, { outputTokens: 100, durationMs: 1000 }, T0);
    h.begin(T0);
    h.success(2000, false, undefined, T0);
    h.begin(T0);
    h.success(300, true, undefined, T0);
    expect(h.latencyMs).toBeCloseTo(1200);
    expect(h.ttftMs).toBe(300);
    expect(h.tokensPerSec).toBe(100);
    expect(h.expectedLatency(true)).toBe(300);
    expect(h.expectedLatency(false)).toBeCloseTo(1200);
    expect(h.inFlight).toBe(0);
  });

  it("counts in-flight requests and per-model selections", () => {
    const h = new TargetHealth({ failureThreshold: 3, cooldownMs: 1000 });
    h.begin(T0);
    h.begin(T0);
    expect(h.inFlight).toBe(2);
    h.select("a");
    h.select("a");
    h.select("b");
    expect([h.selections, h.selectionsBy("a"), h.selectionsBy("b"), h.selectionsBy("c")]).toEqual([3, 2, 1, 0]);
    const snap = h.snapshot(T0);
    expect(snap).toMatchObject({ breaker: "closed", available: true, in_flight: 2, requests: 2 });
  });
});

describe("TargetHealth active probes", () => {
  const settings = { failureThreshold: 3, cooldownMs: 1000 };

  it("takes the target out of rotation after 2 failed probes in a row (an open breaker) until a probe succeeds", () => {
    const h = new TargetHealth(settings);
    h.probe(false, 5, T0);
    expect(h.available(T0)).toBe(true); // one failure is not a verdict
    h.probe(false, 5, T0 + 100);
    expect(h.available(T0 + 100)).toBe(false);
    expect(h.breakerAt(T0 + 100)).toBe("open");
    expect(h.snapshot(T0 + 100)).toMatchObject({ probe_down: true, probe_failures: 2, available: false, breaker: "open" });
    expect(h.available(T0 + 50_000)).toBe(false); // no cooldown: only a probe lifts it
    h.probe(true, 42, T0 + 60_000);
    expect(h.available(T0 + 60_000)).toBe(true);
    expect(h.breakerAt(T0 + 60_000)).toBe("closed");
    expect(h.probeLatencyMs).toBe(42);
  });

  it("a success in between resets the count, and the threshold is a setting", () => {
    const h = new TargetHealth(settings);
    h.probe(false, 0, T0);
    h.probe(true, 10, T0 + 1);
    h.probe(false, 0, T0 + 2);
    expect(h.available(T0 + 2)).toBe(true);
    const strict = new TargetHealth({ failureThreshold: 3, cooldownMs: 1000, probeFailureThreshold: 1 });
    strict.probe(false, 0, T0);
    expect(strict.available(T0)).toBe(false);
  });

  it("never closes a breaker opened by live traffic: the trial request still decides", () => {
    const h = new TargetHealth(settings);
    failN(h, 3);
    expect(h.breakerAt(T0)).toBe("open");
    h.probe(true, 10, T0 + 10);
    expect(h.breakerAt(T0 + 10)).toBe("open");
    expect(h.available(T0 + 10)).toBe(false);
    expect(h.available(T0 + 1000)).toBe(true); // the usual half-open trial after the cooldown
  });

  it("a probe verdict lapses when no report comes for staleAfterMs (a stopped worker)", () => {
    const h = new TargetHealth(settings);
    h.probe(false, 0, T0, 600);
    h.probe(false, 0, T0 + 200, 600);
    expect(h.available(T0 + 799)).toBe(false);
    expect(h.available(T0 + 800)).toBe(true);
    h.probe(false, 0, T0 + 900, 600); // still failing: down again at once, and for another 600 ms
    expect(h.available(T0 + 1499)).toBe(false);
  });

  it("leaves request counters, the error window and request latency alone", () => {
    const h = new TargetHealth(settings);
    for (let i = 0; i < 5; i++) h.probe(false, 0, T0);
    h.probe(true, 99, T0);
    expect([h.requests, h.failures, h.consecutiveFailures, h.windowErrorRatio, h.successRate, h.inFlight]).toEqual([0, 0, 0, 0, 1, 0]);
    expect(h.latencyMs).toBeUndefined();
    h.begin(T0);
    h.failure(T0);
    h.probe(true, 5, T0);
    expect(h.consecutiveFailures).toBe(1); // passive failures still count towards the breaker
  });
});

describe("TargetHealth fast path", () => {
  it("available() and breakerAt() agree with the full state after any sequence of outcomes and probes", () => {
    const op = fc.oneof(
      fc.constant("begin" as const),
      fc.constant("success" as const),
      fc.constant("failure" as const),
      fc.constant("neutral" as const),
      fc.constant("probe-ok" as const),
      fc.constant("probe-fail" as const),
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(op, fc.integer({ min: 0, max: 700 })), { maxLength: 60 }), (steps) => {
        const h = new TargetHealth({ failureThreshold: 2, cooldownMs: 500 });
        const s = h as unknown as { openUntil: number; probeDownUntil: number; trialInFlight: boolean };
        let now = T0;
        for (const [kind, dt] of steps) {
          now += dt;
          if (kind === "begin") h.begin(now);
          else if (kind === "success") h.success(10, false, undefined, now);
          else if (kind === "failure") h.failure(now);
          else if (kind === "neutral") h.neutral();
          else h.probe(kind === "probe-ok", 5, now, 1_000);
          for (const t of [now, now + 499, now + 1_000]) {
            const down = t < s.probeDownUntil;
            const expected = !down && (s.openUntil === 0 || (t >= s.openUntil && !s.trialInFlight));
            expect(h.available(t)).toBe(expected);
            expect(h.breakerAt(t)).toBe(down ? "open" : s.openUntil === 0 ? "closed" : t >= s.openUntil ? "half_open" : "open");
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
