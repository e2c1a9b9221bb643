import type { TableClientKey } from "@ai-router/contracts";
import { describe, expect, it } from "vitest";
import { finished } from "../../test/records.js";
import { UsageRecorder } from "../record/usage-recorder.js";
import { hasLimits, KeyLimiter, resetDuration } from "./key-limiter.js";
import { KeyLimits } from "./key-limits.js";
import { SlidingWindow } from "./sliding-window.js";

const SHA = "a".repeat(64);
const key = (extra: Partial<TableClientKey>): TableClientKey => Object.assign({ name: "team-a", sha256: SHA }, extra);
const limiter = (extra: Partial<TableClientKey>, tableAt = 0) => {
  const l = new KeyLimiter(SHA, "team-a");
  l.configure(key(extra), tableAt);
  return l;
};
/** A time 100 s after the epoch plus `ms`: window slots are whole seconds. */
const at = (ms: number) => 100_000 + ms;

describe("SlidingWindow", () => {
  it("keeps an event for at least 60 s and at most 61 s", () => {
    const w = new SlidingWindow();
    w.add(at(500), 1);
    expect(w.total(at(500) + 60_000)).toBe(1);
    expect(w.total(at(60_999))).toBe(1);
    expect(w.total(at(61_000))).toBe(0);
  });

  it("says when enough old events have left to go under a limit", () => {
    const w = new SlidingWindow();
    w.add(at(500), 1);
    w.add(at(30_000), 2);
    expect(w.msUntilBelow(at(31_000), 4)).toBe(0);
    expect(w.msUntilBelow(at(31_000), 3)).toBe(30_000); // the first event leaves at 161 s
    expect(w.msUntilBelow(at(31_000), 1)).toBe(60_000); // both must leave
  });

  it("forgets everything after a gap longer than the window", () => {
    const w = new SlidingWindow();
    w.add(at(0), 5);
    w.add(at(10_000), 5);
    expect(w.total(at(10_000))).toBe(10);
    expect(w.total(at(3_600_000))).toBe(0);
    w.add(at(3_600_000), 1);
    expect(w.total(at(3_600_500))).toBe(1);
  });
});

describe("KeyLimiter", () => {
  it("admits rpm_limit requests in a minute and refuses the next with OpenAI's code and headers", () => {
    const l = limiter({ rpmLimit: 3 });
    for (let i = 0; i < 3; i++) expect(l.admit(at(i * 100))).toBeUndefined();
    const r = l.admit(at(1_000));
    expect(r?.error.status).toBe(429);
    expect(r?.error.toBody().error).toMatchObject({ type: "requests", code: "rate_limit_exceeded", param: null });
    expect(r?.error.message).toMatch(/requests per min \(RPM\): Limit 3, Used 3/);
    // the first request (second 100) leaves the window when second 161 begins: 60 s from 101 s
    expect(r?.headers).toEqual({
      "retry-after": "60",
      "x-ratelimit-limit-requests": "3",
      "x-ratelimit-remaining-requests": "0",
      "x-ratelimit-reset-requests": "1m0s",
    });
  });

  it("frees the window 60-61 s after the requests, and refused requests do not count", () => {
    const l = limiter({ rpmLimit: 2 });
    l.admit(at(0));
    l.admit(at(30_000));
    for (let t = 31_000; t < 61_000; t += 5_000) expect(l.admit(at(t))?.error.code).toBe("rate_limit_exceeded");
    expect(l.admit(at(60_999))).toBeDefined();
    expect(l.admit(at(61_000))).toBeUndefined(); // the request of second 100 left; refusals were not counted
    expect(l.admit(at(61_001))).toBeDefined();
    expect(l.admit(at(91_000))).toBeUndefined();
    expect(l.counters.requests).toBe(4);
  });

  it("lets the request that crosses tpm_limit finish, then refuses until the tokens leave the window", () => {
    const l = limiter({ tpmLimit: 100 });
    expect(l.admit(at(0))).toBeUndefined();
    l.charge(at(2_000), 250, undefined); // tokens are known afterwards: one request may overshoot
    const r = l.admit(at(3_000));
    expect(r?.error.toBody().error).toMatchObject({ type: "tokens", code: "rate_limit_exceeded" });
    expect(r?.headers["x-ratelimit-limit-tokens"]).toBe("100");
    expect(r?.headers["x-ratelimit-remaining-tokens"]).toBe("0");
    expect(r?.headers["retry-after"]).toBe("60"); // 102 s + 61 s - 103 s
    expect(l.admit(at(62_999))).toBeDefined();
    expect(l.admit(at(63_000))).toBeUndefined();
  });

  it("refuses with insufficient_quota once the budget is spent, and a new table's baseline replaces local spend", () => {
    const l = limiter({ budgetUsd: 1 });
    expect(l.admit(at(0))).toBeUndefined();
    l.charge(at(0), 10, 0.6);
    expect(l.admit(at(1))).toBeUndefined();
    l.charge(at(1), 10, 0.6);
    const r = l.admit(at(2));
    expect(r?.error.status).toBe(429);
    expect(r?.error.toBody().error).toMatchObject({ type: "insufficient_quota", code: "insufficient_quota" });
    expect(r?.error.message).toMatch(/spent \$1\.20 of its \$1\.00 budget/);
    expect(r?.headers["retry-after"]).toBeUndefined();
    // Cluster: the control plane reset the spend -> the table says 0 and local spend counts from there.
    l.configure(key({ budgetUsd: 1, spentUsd: 0 }));
    expect(l.spentUsd()).toBe(0);
    expect(l.admit(at(3))).toBeUndefined();
    // Other replicas spent 0.95: baseline 0.95 + 0.1 here since the table.
    l.configure(key({ budgetUsd: 1, spentUsd: 0.95 }));
    l.charge(at(4), 1, 0.1);
    expect(l.spentUsd()).toBeCloseTo(1.05);
    expect(l.admit(at(5))?.error.code).toBe("insufficient_quota");
    expect(l.counters.spentUsd).toBeCloseTo(1.3); // what this replica reports: cumulative, never reset
  });

  it("reserves what requests in flight may cost: concurrent ones see each other, a release gives it back", () => {
    const l = limiter({ budgetUsd: 0.1 });
    expect(l.reserve(0.04)).toBeUndefined();
    expect(l.reserve(0.04)).toBeUndefined();
    expect(l.reserve(0.04)).toBeUndefined();
    // 0.12 committed: over the budget by less than the last reservation, and the next is refused.
    expect(l.reserve(0.04)?.error.message).toMatch(/spent \$0\.1200 of its \$0\.1000 budget/);
    // Two finish cheaper than reserved: charged 0.035 each, reservations released: 0.07 + 0.04 in flight.
    for (let i = 0; i < 2; i++) {
      l.charge(at(0), 1, 0.035);
      l.release(0.04);
    }
    expect(l.reserve(0.001)?.error.code).toBe("insufficient_quota");
    // The third fails upstream (nothing charged): its reservation is given back, 0.07 committed.
    l.release(0.04);
    expect(l.reserve(0.04)).toBeUndefined();
    expect(limiter({}).reserve(1_000)).toBeUndefined(); // no budget, nothing to reserve against
  });

  it("takes spend updates newer than its baseline, and ignores older ones and stale tables", () => {
    const l = limiter({ budgetUsd: 1, spentUsd: 0.2 }, 1_000);
    l.charge(at(0), 1, 0.1);
    expect(l.spentUsd()).toBeCloseTo(0.3);
    // At t=2000 the other replicas had spent 0.8 (the update's total minus what this replica reported):
    // all of this replica's own spend is added to it.
    l.applySpend(0.8, 2_000);
    expect(l.spentUsd()).toBeCloseTo(0.9);
    l.charge(at(1), 1, 0.2);
    expect(l.admit(at(2))?.error.code).toBe("insufficient_quota");
    // A late update measured before the one applied changes nothing, nor does a table compiled before it.
    l.applySpend(0.1, 1_500);
    l.configure(key({ budgetUsd: 1, spentUsd: 0.1 }), 1_800);
    expect(l.spentUsd()).toBeCloseTo(1.1);
    // A reset: the table compiled after the update says 0.
    l.configure(key({ budgetUsd: 1, spentUsd: 0 }), 3_000);
    expect(l.admit(at(3))).toBeUndefined();
  });

  it("an update that has not counted this replica's latest spend yet never hides it (KeyLimits)", () => {
    const limits = new KeyLimits();
    limits.applyTable([key({ budgetUsd: 1, spentUsd: 0 })], 1_000);
    const l = limits.get(SHA)!;
    l.charge(at(0), 1, 0.7); // spent here, not reported yet
    // The control plane's total (0.5) holds 0.2 this replica reported earlier... and none of the 0.7.
    limits.applySpend({ at: 2_000, keys: { [SHA]: 0.5 }, accounted: { "replica-1": { [SHA]: 0.2 } } }, "replica-1");
    expect(l.spentUsd()).toBeCloseTo(0.3 + 0.7);
    expect(l.admit(at(1))?.error.code).toBe("insufficient_quota");
    // Another replica reading the same update counts the whole 0.5 as others' spend.
    const other = new KeyLimits();
    other.applyTable([key({ budgetUsd: 1, spentUsd: 0 })], 1_000);
    other.applySpend({ at: 2_000, keys: { [SHA]: 0.5 }, accounted: { "replica-1": { [SHA]: 0.2 } } }, "replica-2");
    expect(other.get(SHA)!.spentUsd()).toBeCloseTo(0.5);
  });

  it("standalone (no cluster spend in the table): the budget counts all this process spent, across tables", () => {
    const l = limiter({ budgetUsd: 1 });
    l.charge(at(0), 1, 0.7);
    l.configure(key({ budgetUsd: 1 }), 5_000);
    l.charge(at(1), 1, 0.4);
    expect(l.spentUsd()).toBeCloseTo(1.1);
    expect(l.admit(at(2))?.error.code).toBe("insufficient_quota");
  });

  it("a budget of 0 refuses at once; a missing price adds no spend", () => {
    expect(limiter({ budgetUsd: 0 }).admit(at(0))?.error.code).toBe("insufficient_quota");
    const l = limiter({ budgetUsd: 0.01 });
    l.charge(at(0), 1_000_000, undefined);
    expect(l.admit(at(1))).toBeUndefined();
  });

  it("enforces its share of rpm/tpm when told how many replicas split the limit (Redis away)", () => {
    const l = limiter({ rpmLimit: 20 });
    for (let i = 0; i < 10; i++) expect(l.admit(at(i), 2)).toBeUndefined();
    expect(l.admit(at(20), 2)?.error.message).toMatch(/Limit 10, Used 10/);
    expect(l.admit(at(21), 1)).toBeUndefined(); // back to the whole limit
    const tiny = limiter({ rpmLimit: 1 });
    expect(tiny.admit(at(0), 5)).toBeUndefined(); // never below one per replica
    expect(tiny.admit(at(1), 5)).toBeDefined();
  });

  it("formats resets like OpenAI", () => {
    expect([resetDuration(20), resetDuration(1_200), resetDuration(90_000)]).toEqual(["20ms", "2s", "1m30s"]);
  });
});

describe("KeyLimits", () => {
  it("skips keys without limits and keeps windows across table swaps", () => {
    const limits = new KeyLimits();
    const free = key({ sha256: "b".repeat(64) });
    expect(hasLimits(free)).toBe(false);
    limits.applyTable([free, key({ rpmLimit: 1 })]);
    expect(limits.get(free.sha256)).toBeUndefined();
    const l = limits.get(SHA)!;
    expect(l.admit(at(0))).toBeUndefined();
    limits.applyTable([key({ rpmLimit: 1, name: "renamed" })]);
    expect(limits.get(SHA)).toBe(l);
    expect(l.admit(at(10))?.error.message).toMatch(/key renamed/);
    expect(limits.report()).toEqual({ [SHA]: { spentUsd: 0, tokens: 0, requests: 1 } });
  });

  it("charges a key's limiter when its request is recorded, and the shared counters still count", () => {
    const usage = new UsageRecorder(undefined);
    usage.keyLimits.applyTable([key({ tpmLimit: 10, budgetUsd: 5 })]);
    const l = usage.keyLimits.get(SHA)!;
    usage.finished(
      finished({
        outcome: "served",
        model: "m",
        provider: "p",
        upstreamModel: "u",
        key: "team-a",
        answered: true,
        usage: { prompt_tokens: 1_000, completion_tokens: 1_000, total_tokens: 2_000 },
        price: { input_per_mtok: 1_000, output_per_mtok: 1_000 },
      }),
      l,
    );
    expect(usage.byModel.get("m")?.requests).toBe(1);
    expect(l.counters).toEqual({ spentUsd: 2, tokens: 2_000, requests: 0 });
    expect(l.admit(Date.now())?.error.toBody().error.type).toBe("tokens");
  });
});
