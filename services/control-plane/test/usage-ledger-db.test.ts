import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deleteOlderThan, insertRecords } from "../../health-worker/src/ledger/insert-records.js";
import { closePool, createTestDatabase, usageRecord as rec, testPool } from "./helpers.js";

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let pool: pg.Pool;

beforeAll(async () => {
  db = await createTestDatabase();
  pool = testPool(db.url);
}, 60_000);
afterAll(async () => {
  await closePool(pool);
  await db?.drop();
});

describe("ledger inserts (Postgres)", () => {
  it("stores a batch once: a redelivery and repeated ids add no row, no spend", async () => {
    const { rows: keys } = await pool.query<{ id: number }>(
      "INSERT INTO client_keys (name, hash, prefix, budget_usd, updated_at) VALUES ('k', $1, 'sk-', 10, now()) RETURNING id",
      ["c".repeat(64)],
    );
    const kid = String(keys[0]!.id);
    const batch = [
      rec("a1", { key_id: kid }),
      rec("a2", { key_id: kid, replica: "r2", queued_ms: 12.5 }),
      rec("a1", { key_id: kid }),
      rec("a3"),
    ];
    const first = await insertRecords(pool, batch);
    expect(first.map((r) => r.id).sort()).toEqual(["a1", "a2", "a3"]);
    expect(await insertRecords(pool, batch)).toEqual([]);
    const count = await pool.query("SELECT count(*)::int AS n, sum(cost_usd) AS c FROM usage_records");
    expect(count.rows[0]).toEqual({ n: 3, c: 1.5 });
    const spent = await pool.query("SELECT spent_usd FROM client_keys WHERE id = $1", [Number(kid)]);
    expect(spent.rows[0].spent_usd).toBe(1);
    const parts = await pool.query("SELECT replica, key_id, cost_usd FROM usage_replica_spend ORDER BY replica");
    expect(parts.rows).toEqual([
      { replica: "r1", key_id: kid, cost_usd: 0.5 },
      { replica: "r2", key_id: kid, cost_usd: 0.5 },
    ]);
    const stored = await pool.query("SELECT attempts, time FROM usage_records WHERE id = 'a1'");
    expect(stored.rows[0].attempts).toEqual(batch[0]!.attempts);
    const queued = await pool.query("SELECT id, queued_ms FROM usage_records ORDER BY id");
    expect(queued.rows).toEqual([
      { id: "a1", queued_ms: 0 },
      { id: "a2", queued_ms: 12.5 },
      { id: "a3", queued_ms: 0 },
    ]);
  });

  it("a key's spend counts every row charged to it in a batch, however its id is written", async () => {
    const { rows: keys } = await pool.query<{ id: number }>(
      "INSERT INTO client_keys (name, hash, prefix, budget_usd, updated_at) VALUES ('k2', $1, 'sk-', 10, now()) RETURNING id",
      ["d".repeat(64)],
    );
    const kid = String(keys[0]!.id);
    await insertRecords(pool, [rec("s1", { key_id: kid }), rec("s2", { key_id: `0${kid}`, cost_usd: 0.25 })]);
    const spent = await pool.query("SELECT spent_usd FROM client_keys WHERE id = $1", [Number(kid)]);
    expect(spent.rows[0].spent_usd).toBe(0.75);
  });

  it("retention deletes rows older than the cutoff in batches", async () => {
    const old = Array.from({ length: 25 }, (_, i) => rec(`old${i}`, { time: new Date(Date.now() - 100 * 86_400_000).toISOString() }));
    await insertRecords(pool, [...old, rec("new1")]);
    const deleted = await deleteOlderThan(pool, new Date(Date.now() - 90 * 86_400_000), 10);
    expect(deleted).toBe(25);
    const left = await pool.query("SELECT id FROM usage_records WHERE id LIKE 'old%' OR id = 'new1'");
    expect(left.rows.map((r) => r.id)).toEqual(["new1"]);
  });
});
