import { randomBytes } from "node:crypto";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { closePool, PG_ADMIN_URL, testPool } from "./helpers.js";

/**
 * Issue 27's CI flake: a database dropped (WITH FORCE) right after `pool.end()` terminated connections
 * the pool was still closing, and the pool's unhandled `error` event (57P01) failed the whole run.
 * `closePool` waits for every connection to close; this drops the database right after it, ten times.
 */
describe("test pools closed before their database is dropped", () => {
  it("no connection of a closed pool sees the drop (no error event)", async () => {
    const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
    admin.on("error", () => {});
    await admin.connect();
    const errors: string[] = [];
    try {
      for (let i = 0; i < 10; i++) {
        const name = `ai_router_pool_${randomBytes(4).toString("hex")}`;
        await admin.query(`CREATE DATABASE "${name}"`);
        const u = new URL(PG_ADMIN_URL);
        u.pathname = `/${name}`;
        const pool = testPool(u.toString(), 4);
        pool.on("error", (err) => errors.push(err.message));
        await Promise.all(Array.from({ length: 4 }, () => pool.query("SELECT pg_sleep(0.005)")));
        expect(pool.totalCount).toBe(4);
        await closePool(pool);
        await admin.query(`DROP DATABASE "${name}" WITH (FORCE)`);
      }
      // A round trip after the last drop: a termination notice would have reached its client by now.
      await admin.query("SELECT 1");
      expect(errors).toEqual([]);
    } finally {
      await admin.end();
    }
  });
});
