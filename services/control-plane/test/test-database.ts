import { uniqueName } from "@ai-router/testing";
import pg from "pg";
import { migrateDeploy } from "../src/db/migrate.js";

/** The test server's admin connection (databases are created and dropped through it). */
export const PG_ADMIN_URL = process.env.TEST_PG_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";

/**
 * A pool on a test database, with the `error` handler the services' own pools have: a connection that
 * ends under the pool (its database dropped after a failed test) is not an unhandled error of the run.
 * Close it with `closePool` before the database is dropped.
 */
export function testPool(url: string, max = 2): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max });
  pool.on("error", () => {});
  return pool;
}

/**
 * Ends a pool and waits until every connection of it is closed. `pool.end()` resolves as soon as it
 * asked its clients to end, before their sockets close: a `DROP DATABASE ... WITH (FORCE)` right after
 * it terminates those backends, and the client gets 57P01 as an `error` event (issue 27's CI flake).
 */
export async function closePool(pool: pg.Pool | undefined, timeoutMs = 5_000): Promise<void> {
  if (!pool || pool.ended) return;
  const open = pool.totalCount;
  let closed = 0;
  const gone = new Promise<void>((resolve) => {
    if (open === 0) return resolve();
    pool.on("remove", () => {
      if (++closed >= open) resolve();
    });
    setTimeout(resolve, timeoutMs).unref();
  });
  await pool.end();
  await gone;
}

/** A fresh database with migrations applied (`prisma migrate deploy`), dropped by `drop()`. */
export async function createTestDatabase(): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  const name = uniqueName("ai_router_test");
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  admin.on("error", () => {});
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const u = new URL(PG_ADMIN_URL);
  u.pathname = `/${name}`;
  const url = u.toString();
  await migrateDeploy(url);
  return {
    url,
    name,
    async drop() {
      const c = new pg.Client({ connectionString: PG_ADMIN_URL });
      c.on("error", () => {});
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await c.end();
    },
  };
}
