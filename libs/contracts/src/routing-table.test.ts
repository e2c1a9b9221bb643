import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { ProbeReport } from "./health.js";
import { SpendUpdate, StatsReport } from "./nats.js";
import { checkRoutingTable, RoutingTable, RoutingTableWrite } from "./routing-table.js";

const dir = fileURLToPath(new URL("../fixtures/", import.meta.url));
/** Tables as earlier releases published them (named for the commit whose schema wrote them). */
const saved = readdirSync(dir)
  .filter((f) => f.startsWith("routing-table."))
  .map((f) => [f, JSON.parse(readFileSync(dir + f, "utf8"))] as const);

/** Adds a field this build does not know to every object of a table: what a newer release might publish. */
function fromTheFuture(table: Record<string, unknown>): Record<string, unknown> {
  const t = structuredClone(table) as Record<string, any>;
  t.futureTopLevel = { anything: [1, 2] };
  t.settings.futureSetting = 5;
  for (const p of t.providers) p.http2 = true;
  for (const m of t.models) {
    m.aliases = ["a"];
    for (const tg of m.targets) {
      tg.region = "eu";
      if (tg.price) tg.price.batch_per_mtok = 1;
    }
  }
  for (const k of t.clientKeys) k.team = "t";
  return t;
}

describe("routing tables across releases", () => {
  it("has saved tables of the earlier releases", () => {
    expect(saved.map(([f]) => f).sort()).toEqual([
      "routing-table.1023206.json",
      "routing-table.324d30b.json",
      "routing-table.b131c06.json",
    ]);
  });

  for (const [file, table] of saved) {
    it(`reads ${file} (an earlier release's table) and it is still valid to write`, () => {
      const r = checkRoutingTable(table);
      expect(r.ok, JSON.stringify(r)).toBe(true);
      expect(RoutingTableWrite.safeParse(table).success).toBe(true);
    });

    it(`reads ${file} with a field added at every level (a newer release), ignoring what it does not know`, () => {
      const r = checkRoutingTable(fromTheFuture(table));
      expect(r.ok, JSON.stringify(r)).toBe(true);
      if (!r.ok) return;
      // Unknown fields are dropped, known ones kept: the table reads as the release that knows it.
      expect(r.table).toEqual(RoutingTable.parse(table));
      expect(JSON.stringify(r.table)).not.toMatch(/future|http2|aliases|region|batch_per_mtok|"team"/);
    });
  }

  it("still refuses a table whose known fields are wrong, and writing refuses unknown fields", () => {
    const [, table] = saved[0]!;
    const broken = structuredClone(table);
    broken.models[0].targets = [];
    expect(checkRoutingTable(broken)).toMatchObject({ ok: false, reason: expect.stringMatching(/models\.0\.targets/) });
    const typo = structuredClone(table);
    typo.providers[0].maxConnection = 10;
    expect(RoutingTableWrite.safeParse(typo).success).toBe(false);
    expect(RoutingTableWrite.safeParse(fromTheFuture(table)).success).toBe(false);
    // Two versions ahead (one ahead is read: schema-versions.test.ts).
    expect(checkRoutingTable({ ...table, schemaVersion: 3 })).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/schemaVersion 3/),
    });
  });

  it("checks a model object once: the next table sharing it (an unchanged chunk) gets the same checked model", () => {
    const [, table] = saved[0]!;
    const first = checkRoutingTable(table);
    const next = checkRoutingTable({ ...table, revision: table.revision + 1, models: [...table.models] });
    expect(first.ok && next.ok).toBe(true);
    if (!first.ok || !next.ok) return;
    expect(next.table.revision).toBe(table.revision + 1);
    for (const [i, m] of next.table.models.entries()) expect(m).toBe(first.table.models[i]);
    // A fresh object is checked on its own, whatever was checked before; a bad one is refused every time.
    const broken = { ...table.models[0], targets: [] };
    for (let i = 0; i < 2; i++) {
      expect(checkRoutingTable({ ...table, models: [table.models[0], broken] })).toMatchObject({
        ok: false,
        reason: expect.stringMatching(/models\.1\.targets/),
      });
    }
    // A bad head is refused even when every model was checked before.
    expect(checkRoutingTable({ ...table, providers: "nope" })).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/^invalid routing table: providers/),
    });
  });

  it("reads NATS messages with fields a newer release added", () => {
    const sha = "a".repeat(64);
    const counters = { requests: 1, failures: 0, promptTokens: 1, completionTokens: 1, costUsd: 0, lastRequestTime: 1, queuedMs: 3 };
    expect(
      StatsReport.safeParse({
        replica: "r",
        at: 1,
        models: { m: counters },
        keys: { [sha]: { spentUsd: 1, tokens: 1, requests: 1, x: 1 } },
        zone: "a",
      }).success,
    ).toBe(true);
    expect(SpendUpdate.safeParse({ at: 1, keys: { [sha]: 1 }, signature: "s" }).success).toBe(true);
    const probe = {
      provider: "p",
      ok: true,
      status: 200,
      latencyMs: 1,
      checkedAt: 1,
      consecutiveFailures: 0,
      error: null,
      intervalMs: 1,
      region: "eu",
    };
    expect(ProbeReport.safeParse(probe).success).toBe(true);
    expect(SpendUpdate.safeParse({ at: 1, keys: { [sha]: -1 } }).success).toBe(false);
  });
});
