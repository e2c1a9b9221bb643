import type { SpendUpdate } from "@ai-router/contracts";
import { createLogger } from "@ai-router/logger";
import { describe, expect, it } from "vitest";
import type { PrismaClient } from "../db/client.js";
import { SpendLedger } from "./spend-ledger.js";

const A = "a".repeat(64);
const B = "b".repeat(64);
const logger = createLogger({ name: "spend-test", level: "silent", sync: true });

/**
 * A ledger over a fake database that records `spent_usd` increments (and answers the budgeted keys'
 * spend); `budgeted` hashes have a budget.
 */
function ledger(budgeted: string[] = [A], fail = () => false) {
  const added = new Map<string, number>();
  const published: SpendUpdate[] = [];
  const prisma = {
    $queryRaw: async (s: TemplateStringsArray, delta: number, hash: string) => {
      if (fail()) throw new Error("db down");
      if (s.join("").includes("SELECT")) return budgeted.map((h) => ({ hash: h, spent_usd: added.get(h) ?? null }));
      added.set(hash, (added.get(hash) ?? 0) + delta);
      return [{ budget_usd: budgeted.includes(hash) ? 1 : null }];
    },
  } as unknown as PrismaClient;
  const l = new SpendLedger(prisma, (u) => void published.push(u), logger, { publishMs: 3_000, refreshMs: 30_000 });
  return { l, added, published };
}
const report = (replica: string, keys: Record<string, number>, startedAt = Date.now()) => ({
  replica,
  at: Date.now(),
  models: {},
  startedAt,
  keys: Object.fromEntries(Object.entries(keys).map(([k, spentUsd]) => [k, { spentUsd, tokens: 0, requests: 1 }])),
});

describe("SpendLedger", () => {
  it("adds each replica's increase since its last report, and sends budgeted keys' spend (throttled)", async () => {
    const { l, added, published } = ledger();
    l.observe(report("r1", { [A]: 0.5, [B]: 2 }));
    l.observe(report("r2", { [A]: 0.25 }));
    l.observe(report("r1", { [A]: 0.75, [B]: 2 }));
    await l.flush(10_000);
    expect(added).toEqual(
      new Map([
        [A, 1],
        [B, 2],
      ]),
    );
    // Only the budgeted key's spend is sent (B has no budget).
    // With what each replica's reports add up to, so a replica can swap its own share for its live count.
    expect(published).toEqual([{ at: expect.any(Number), keys: { [A]: 1 }, accounted: { r1: { [A]: 0.75, [B]: 2 }, r2: { [A]: 0.25 } } }]);
    l.observe(report("r2", { [A]: 0.5 }));
    await l.flush(11_000); // within publishMs: written, not yet sent
    expect(added.get(A)).toBe(1.25);
    expect(published).toHaveLength(1);
    await l.flush(13_000); // nothing new pending, but the earlier change is still unsent
    expect(published).toHaveLength(2);
    expect(published[1]?.keys).toEqual({ [A]: 1.25 });
    await l.flush(20_000);
    expect(published).toHaveLength(2);
    await l.flush(43_000); // no change for refreshMs: sent again for proxies that missed one
    expect(published).toHaveLength(3);
  });

  it("takes the first report of a replica older than this control plane as a baseline only", async () => {
    const { l, added } = ledger();
    l.observe(report("old", { [A]: 5 }, Date.now() - 60_000));
    l.observe(report("old", { [A]: 5.5 }));
    await l.flush();
    expect(added.get(A)).toBe(0.5);
  });

  it("keeps unwritten spend when the database fails, and forgets a key's pending spend on reset", async () => {
    let down = true;
    const { l, added } = ledger([A], () => down);
    l.observe(report("r1", { [A]: 1, [B]: 1 }));
    await l.flush();
    expect(added.size).toBe(0);
    down = false;
    l.forget(B);
    await l.flush();
    expect(added).toEqual(new Map([[A, 1]]));
  });
});
