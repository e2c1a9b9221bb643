import type { RoutingTable } from "@ai-router/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileDatabase, ModelCompileCache } from "../src/compile/compile-db.js";
import { createPrisma, type PrismaClient } from "../src/db/client.js";
import { createTestDatabase } from "./helpers.js";

/**
 * The publisher keeps compiled models between publishes and reads again only the models whose rows
 * changed: whatever changes, the table must be exactly what a compile from scratch makes.
 */
let db: Awaited<ReturnType<typeof createTestDatabase>>;
let prisma: PrismaClient;
const now = new Date(0);
const sql = (q: string) => prisma.$executeRawUnsafe(q);

beforeAll(async () => {
  db = await createTestDatabase();
  prisma = createPrisma(db.url);
  await sql(`INSERT INTO providers (name, adapter, updated_at) VALUES ('p1', 'mock', now()), ('p2', 'mock', now())`);
  await sql(`INSERT INTO models (name, params, updated_at) SELECT 'm' || i, '{"temperature":0.5}', now() FROM generate_series(1, 20) i`);
  // Every model on p1; the odd ones on p2 too; m20 on p2 only.
  await sql(`INSERT INTO model_providers (model_id, provider_id, weight, updated_at)
    SELECT m.id, p.id, 5, now() FROM models m, providers p
    WHERE (p.name = 'p1' AND m.name <> 'm20') OR (p.name = 'p2' AND (m.id % 2 = 1 OR m.name = 'm20'))`);
  await sql(`INSERT INTO capabilities (name) VALUES ('CAP_A'), ('CAP_B')`);
  await sql(
    `INSERT INTO model_capabilities (model_id, capability_id) SELECT m.id, c.id FROM models m, capabilities c WHERE m.name = 'm2' AND c.name = 'CAP_A'`,
  );
}, 60_000);

afterAll(async () => {
  await prisma?.$disconnect();
  await db?.drop();
});

describe("compiling with the model cache", () => {
  it("makes the same table as a compile from scratch after every kind of change, reusing the untouched models", async () => {
    const cache = new ModelCompileCache();
    const cached = () =>
      prisma.$transaction(async (tx) => (await compileDatabase(tx, 1, undefined, now, false, cache)).table as RoutingTable);
    const fresh = async () => (await compileDatabase(prisma, 1, undefined, now, false)).table;
    const byName = (t: RoutingTable) => new Map(t.models.map((m) => [m.name, m]));
    let last = byName(await cached());
    expect(await cached()).toEqual(await fresh());
    /** Applies a change; the cached compile equals a fresh one and rebuilt exactly `changed` (all when undefined). */
    const step = async (change: string, changed?: string[]) => {
      await sql(change);
      const t = await cached();
      expect(t, change).toEqual(await fresh());
      const next = byName(t);
      for (const [name, m] of next) {
        const same = last.get(name) === m;
        expect(same, `${name} after ${change}`).toBe(changed === undefined ? false : !changed.includes(name));
      }
      last = next;
      return t;
    };
    await step(`UPDATE model_providers SET weight = 7 WHERE model_id = (SELECT id FROM models WHERE name = 'm3') AND provider_id = 1`, [
      "m3",
    ]);
    await step(`DELETE FROM model_providers WHERE model_id = (SELECT id FROM models WHERE name = 'm5') AND provider_id = 2`, ["m5"]);
    await step(
      `UPDATE model_providers SET is_enabled = false WHERE model_id = (SELECT id FROM models WHERE name = 'm7') AND provider_id = 1`,
      ["m7"],
    );
    await step(
      `INSERT INTO model_capabilities (model_id, capability_id) SELECT m.id, c.id FROM models m, capabilities c WHERE m.name = 'm4' AND c.name = 'CAP_B'`,
      ["m4"],
    );
    const renamed = await step(`UPDATE capabilities SET name = 'CAP_RENAMED' WHERE name = 'CAP_A'`, ["m2"]);
    expect(renamed.models.find((m) => m.name === "m2")?.capabilities).toEqual(["CAP_RENAMED"]);
    await step(`DELETE FROM model_capabilities WHERE model_id = (SELECT id FROM models WHERE name = 'm4')`, ["m4"]);
    const merged = await step(`UPDATE models SET params = '{"temperature":0.9}' WHERE name = 'm8'`, ["m8"]);
    expect(merged.models.find((m) => m.name === "m8")?.targets[0]?.params).toEqual({ temperature: 0.9 });
    expect((await step(`UPDATE models SET is_enabled = false WHERE name = 'm9'`, [])).models.some((m) => m.name === "m9")).toBe(false);
    await step(`UPDATE models SET is_enabled = true WHERE name = 'm9'`, ["m9"]);
    await step(`DELETE FROM models WHERE name = 'm10'`, []);
    await step(`INSERT INTO models (name, updated_at) VALUES ('m21', now())`, []); // no link: not served
    await step(`INSERT INTO model_providers (model_id, provider_id, updated_at) SELECT id, 1, now() FROM models WHERE name = 'm21'`, [
      "m21",
    ]);
    // A provider leaves: every model is compiled again (m20, on p2 only, is no longer served).
    const without = await step(`UPDATE providers SET is_enabled = false WHERE name = 'p2'`);
    expect(without.models.some((m) => m.name === "m20")).toBe(false);
    expect(without.models.flatMap((m) => m.targets).every((t) => t.provider === "p1")).toBe(true);
    // A provider setting that models do not depend on: nothing recompiled.
    await step(`UPDATE providers SET timeout_ms = 1234 WHERE name = 'p1'`, []);
    await step(`UPDATE providers SET is_enabled = true WHERE name = 'p2'`);
  });
});
