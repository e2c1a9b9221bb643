import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { insertRecords } from "../../health-worker/src/ledger/insert-records.js";
import { closePool, createTestDatabase, testPool, usageRecord, waitFor } from "./helpers.js";

/**
 * The ledger writer against a spend reset committed while its statement waits for the key's row:
 * the reset wins for answers from before it, and the replica's ledgered spend still counts them.
 */
let db: Awaited<ReturnType<typeof createTestDatabase>>;
let pool: pg.Pool;

const record = (id: string, keyId: number, time: Date, cost: number) =>
  usageRecord(id, { key_id: String(keyId), key_name: "k", time: time.toISOString(), cost_usd: cost });

beforeAll(async () => {
  db = await createTestDatabase();
  pool = testPool(db.url, 4);
}, 60_000);

afterAll(async () => {
  await closePool(pool);
  await db?.drop();
});

async function newKey(): Promise<number> {
  const r = await pool.query<{ id: number }>(
    "INSERT INTO client_keys (name, hash, prefix, budget_usd, spent_usd, updated_at) VALUES ($1, $1, 'sk', 1, 0.7, now()) RETURNING id",
    [`k-${Math.random().toString(36).slice(2)}`],
  );
  return r.rows[0]!.id;
}

const spend = async (id: number) => {
  const k = await pool.query<{ spent_usd: number }>("SELECT spent_usd FROM client_keys WHERE id = $1", [id]);
  const rs = await pool.query<{ cost_usd: number }>("SELECT cost_usd FROM usage_replica_spend WHERE key_id = $1", [String(id)]);
  return { spent: k.rows[0]!.spent_usd, ledgered: rs.rows[0]?.cost_usd };
};

describe("ledger writer and spend reset", () => {
  it("an answer from before a reset that commits while the writer waits is not charged to the new count", async () => {
    const id = await newKey();
    const answered = new Date(Date.now() - 1_000);
    const reset = await pool.connect();
    try {
      // The reset holds the key's row; the writer's batch (one answer from before it) arrives meanwhile.
      await reset.query("BEGIN");
      await reset.query("UPDATE client_keys SET spent_usd = 0, spend_reset_at = now() WHERE id = $1", [id]);
      const writing = insertRecords(pool, [record(`req-${id}-a`, id, answered, 0.5)]);
      await waitFor(async () => {
        const w = await pool.query("SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%usage_records%'");
        return (w.rowCount ?? 0) > 0;
      }, 10_000);
      await reset.query("COMMIT");
      expect(await writing).toHaveLength(1);
    } finally {
      reset.release();
    }
    // Not in the new count, but in the replica's ledgered spend (what a proxy subtracts from its own).
    expect(await spend(id)).toEqual({ spent: 0, ledgered: 0.5 });
    // An answer after the reset counts.
    await insertRecords(pool, [record(`req-${id}-b`, id, new Date(Date.now() + 1_000), 0.25)]);
    expect(await spend(id)).toEqual({ spent: 0.25, ledgered: 0.75 });
  });
});
