import type { SpendUpdate } from "@ai-router/contracts";
import { createLogger } from "@ai-router/logger";
import { describe, expect, it } from "vitest";
import type { PrismaClient } from "../db/client.js";
import { SpendLedger } from "./spend-ledger.js";

const A = "a".repeat(64);
const B = "b".repeat(64);
const logger = createLogger({ name: "spend-test", level: "silent", sync: true });

/** A ledger over a fake database: `keys` are client_keys rows, `parts` usage_replica_spend rows. */
function ledger(db: {
  keys: { id: number; hash: string; spent_usd: number | null }[];
  parts: { replica: string; key_id: string; cost_usd: number }[];
}) {
  const published: SpendUpdate[] = [];
  let down = false;
  const prisma = {
    $queryRaw: async (s: TemplateStringsArray) => {
      if (down) throw new Error("db down");
      return s.join("").includes("usage_replica_spend") ? db.parts : db.keys;
    },
  } as unknown as PrismaClient;
  const l = new SpendLedger(prisma, (u) => void published.push(u), logger, { refreshMs: 30_000 });
  return { l, published, setDown: (v: boolean) => (down = v) };
}

describe("SpendLedger (spend from the usage ledger)", () => {
  it("publishes each budgeted key's ledger spend and each replica's part of it", async () => {
    const db = {
      keys: [
        { id: 1, hash: A, spent_usd: 0.75 },
        { id: 2, hash: B, spent_usd: null },
      ],
      parts: [
        { replica: "r1", key_id: "1", cost_usd: 0.5 },
        { replica: "r2", key_id: "1", cost_usd: 0.25 },
        { replica: "r2", key_id: "9", cost_usd: 3 },
      ],
    };
    const { l, published } = ledger(db);
    await l.flush(1_000);
    expect(published).toHaveLength(1);
    expect(published[0]).toMatchObject({ keys: { [A]: 0.75, [B]: 0 }, accounted: { r1: { [A]: 0.5 }, r2: { [A]: 0.25 } } });
    // Unchanged: not sent again until the refresh interval; changed: sent at once.
    await l.flush(2_000);
    expect(published).toHaveLength(1);
    db.keys[0]!.spent_usd = 1;
    await l.flush(3_000);
    expect(published).toHaveLength(2);
    await l.flush(40_000);
    expect(published).toHaveLength(3);
  });

  it("holds nothing a restart could lose: a new instance publishes the same spend", async () => {
    const db = { keys: [{ id: 1, hash: A, spent_usd: 2 }], parts: [{ replica: "r1", key_id: "1", cost_usd: 2 }] };
    const first = ledger(db);
    await first.l.flush();
    await first.l.stop();
    const second = ledger(db);
    await second.l.flush();
    expect(second.published[0]!.keys).toEqual(first.published[0]!.keys);
    expect(second.published[0]!.accounted).toEqual(first.published[0]!.accounted);
  });

  it("a database error publishes nothing and is retried at the next flush", async () => {
    const { l, published, setDown } = ledger({ keys: [{ id: 1, hash: A, spent_usd: 1 }], parts: [] });
    setDown(true);
    await l.flush();
    expect(published).toHaveLength(0);
    setDown(false);
    await l.flush();
    expect(published).toHaveLength(1);
  });
});
