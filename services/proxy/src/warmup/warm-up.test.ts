import { describe, expect, it } from "vitest";
import { WARM_CALLS } from "./warm-calls.js";
import { warmUp } from "./warm-up.js";

describe("the start-up warm-up", () => {
  it("gets a 200 for every ingress, JSON and SSE, from its two private proxies and in-process upstream", async () => {
    // Three rounds in all, shared by two workers: every call three times, whatever the concurrency.
    const r = await warmUp({ budgetMs: 20_000, maxRounds: 3, concurrency: 2 });
    expect(r.failed).toBe(0);
    expect(r.requests).toBe(3 * WARM_CALLS.length);
  });

  it("stops at its time budget", async () => {
    const r = await warmUp({ budgetMs: 150, maxRounds: 1_000_000 });
    expect(r.requests).toBeGreaterThan(0);
    // The budget, plus the requests in flight, the private proxy's start and its shutdown.
    expect(r.ms).toBeLessThan(1_500);
  });
});
