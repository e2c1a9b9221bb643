import { randomBytes } from "node:crypto";
import { createSigner, type UsageRecord } from "@ai-router/contracts";
import fc from "fast-check";
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { insertIsolating } from "../../health-worker/src/ledger/store-isolating.js";
import { type LedgerMessage, storeMessages } from "../../health-worker/src/ledger/store-messages.js";
import { closePool, createTestDatabase, usageRecord as rec, signer, testPool } from "./helpers.js";

/**
 * Issue 27, finding 1, at the writer: a record can never stop the ledger. Each record is stored or
 * dead-lettered, and the ones after it are stored (against the real Postgres).
 */
let db: Awaited<ReturnType<typeof createTestDatabase>>;
let pool: pg.Pool;

beforeAll(async () => {
  db = await createTestDatabase();
  pool = testPool(db.url, 4);
}, 60_000);
afterAll(async () => {
  await closePool(pool);
  await db?.drop();
});

const SUBJECT = "ai-router.test.usage.r1";
let seq = 0;
/** A batch as a proxy publishes it: JSON, signed with the subject as context. */
const message = (records: unknown[], s = signer, subject = SUBJECT): LedgerMessage => ({
  data: Buffer.from(s.sign(JSON.stringify({ replica: "r1", records }), subject)),
  subject,
  source: `test#${++seq}`,
});
const stored = async (prefix: string) =>
  (await pool.query<{ id: string }>("SELECT id FROM usage_records WHERE id LIKE $1 ORDER BY id", [`${prefix}%`])).rows.map((r) => r.id);
const deadLetters = async (prefix: string) =>
  (
    await pool.query<{ record_id: string; reason: string; detail: string; raw: string }>(
      "SELECT record_id, reason, detail, raw FROM usage_dead_letter WHERE record_id LIKE $1 ORDER BY record_id",
      [`${prefix}%`],
    )
  ).rows;

describe("the ledger writer isolates what Postgres refuses", () => {
  it("a batch with refused rows: the rest stored, each refused row dead-lettered with the database's reason", async () => {
    const normal = Array.from({ length: 50 }, (_, i) => rec(`iso-n${String(i).padStart(2, "0")}`));
    const bad = [
      rec("iso-b1", { model: randomBytes(8_000).toString("base64") }), // incompressible, over the b-tree index's row size (54000)
      rec("iso-b2", { response_bytes: 3_000_000_000 }), // over int4 (22003)
      rec("iso-b3", { time: "the day before" }), // not a time (22007)
    ];
    const batch = [...normal.slice(0, 20), ...bad, ...normal.slice(20)];
    const r = await insertIsolating(pool, batch);
    expect(r.rows).toHaveLength(50);
    expect(r.refused.map((l) => l.recordId).sort()).toEqual(["iso-b1", "iso-b2", "iso-b3"]);
    expect(r.refused.map((l) => l.detail.slice(0, 5)).sort()).toEqual(["22003", "22007", "54000"]);
    // Bisection: far fewer statements than one per row.
    expect(r.statements).toBeLessThan(40);
    // NUL and lone surrogates from an older proxy are stored with U+FFFD, not refused.
    const old = await insertIsolating(pool, [rec("iso-s1", { model: "x\u0000y", error_code: "\ud800" })]);
    expect(old.refused).toEqual([]);
    const row = await pool.query("SELECT model, error_code FROM usage_records WHERE id = 'iso-s1'");
    expect(row.rows[0]).toEqual({ model: "x\ufffdy", error_code: "\ufffd" });
  });

  it("signed batches only: forged and unsigned ones are set apart, never stored nor dead-lettered", async () => {
    const forger = createSigner(randomBytes(32));
    const r = await storeMessages(pool, signer, [
      message([rec("sig-forged", { key_id: "1", cost_usd: 100 })], forger),
      { data: Buffer.from(JSON.stringify({ replica: "r1", records: [rec("sig-unsigned")] })), subject: SUBJECT, source: "test#u" },
      // Signed for one replica's subject, replayed on another's.
      { ...message([rec("sig-other-subject")]), subject: "ai-router.test.usage.r2" },
      message([rec("sig-ok")]),
    ]);
    expect(r.rejected.map((x) => x.reason)).toEqual(["bad_signature", "unsigned", "bad_signature"]);
    expect(await stored("sig-")).toEqual(["sig-ok"]);
    expect(await deadLetters("sig-")).toEqual([]);
  });

  it("during a rolling upgrade (LEDGER_ACCEPT_UNSIGNED_UNTIL) unsigned batches are stored and counted; forged ones still are not", async () => {
    const unsigned = {
      data: Buffer.from(JSON.stringify({ replica: "r1", records: [rec("roll-unsigned")] })),
      subject: SUBJECT,
      source: "test#r",
    };
    const r = await storeMessages(pool, signer, [unsigned, message([rec("roll-forged")], createSigner(randomBytes(32)))], true);
    expect(r.unsignedAccepted).toBe(1);
    expect(r.rejected.map((x) => x.reason)).toEqual(["bad_signature"]);
    expect(await stored("roll-")).toEqual(["roll-unsigned"]);
  });

  it("a record that fails the schema is dead-lettered, its batch's other records stored; a signed non-batch is dead-lettered whole", async () => {
    const r = await storeMessages(pool, signer, [
      message([rec("sch-1"), { ...rec("sch-2"), status: "teapot" }, rec("sch-3")]),
      { data: Buffer.from(signer.sign("{not json\u0000", SUBJECT)), subject: SUBJECT, source: "test#garbage" },
    ]);
    expect(r.rejected).toEqual([]);
    expect(await stored("sch-")).toEqual(["sch-1", "sch-3"]);
    expect((await deadLetters("sch-")).map((l) => [l.record_id, l.reason])).toEqual([["sch-2", "invalid"]]);
    const whole = await pool.query("SELECT reason, detail, raw FROM usage_dead_letter WHERE source = 'test#garbage'");
    expect(whole.rows[0]).toMatchObject({
      reason: "invalid",
      detail: "not JSON",
      raw: "{not json\ufffd" /* the payload, without its signature */,
    });
  });

  it("Postgres unreachable: thrown for a retry, nothing dead-lettered", async () => {
    const away = testPool("postgresql://postgres@127.0.0.1:1/nowhere", 1);
    await expect(insertIsolating(away, [rec("away-1")])).rejects.toThrow();
    await closePool(away);
    expect(await deadLetters("away-")).toEqual([]);
  });
});

/** Any UTF-16 code unit (lone surrogates, NUL, every control) or any code point. */
const unit = fc.oneof(
  fc.integer({ min: 0, max: 0x10ffff }).map((c) => String.fromCodePoint(c)),
  fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)),
  fc.constantFrom("\u0000", "\u001f", "\u007f", "\\", '"', "\n"),
);
const BODY_LIMIT = 10 * 1024 * 1024;
/** Short strings mostly; now and then one as long as a request body can make it. */
const text = fc.oneof(
  { weight: 40, arbitrary: fc.string({ unit, maxLength: 40 }) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.string({ unit, minLength: 1, maxLength: 8 }), fc.integer({ min: 300, max: BODY_LIMIT }))
      .map(([s, n]) => s.repeat(Math.ceil(n / s.length)).slice(0, n)),
  },
);
const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: null });
const count = fc.oneof(fc.nat({ max: 100_000 }), fc.integer({ min: 0, max: 2 ** 33 }));
const randomRecord = fc.record({
  suffix: fc.string({ unit, maxLength: 140 }),
  model: maybe(text),
  provider: maybe(text),
  upstream_model: maybe(text),
  key_id: maybe(text),
  key_name: maybe(text),
  error_code: maybe(text),
  endpoint: text,
  replica: text,
  time: fc.oneof({ weight: 5, arbitrary: fc.constant(new Date().toISOString()) }, { weight: 1, arbitrary: text }),
  prompt_tokens: count,
  response_bytes: count,
  attempt: fc.record({ provider: text, upstream_model: text, error_code: maybe(text) }),
});

describe("property: every record is stored or dead-lettered, and never blocks the next", () => {
  it("records of random strings (every code unit, up to the body limit) through the writer", { timeout: 240_000 }, async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(randomRecord, { minLength: 1, maxLength: 4 }), async (generated) => {
        const prefix = `prop${++run}-`;
        const records: unknown[] = generated.map((g, i) => {
          const { suffix, attempt, ...fields } = g;
          return rec(`${prefix}${i}-${suffix}`, {
            ...(fields as Partial<UsageRecord>),
            attempts: [{ ...attempt, outcome: "retry", status: 500, latency_ms: 1 }],
          });
        });
        const sentinel = `${prefix}z-next`;
        const r = await storeMessages(pool, signer, [message(records), message([rec(sentinel)])]);
        expect(r.rejected).toEqual([]);
        const ids = await stored(prefix);
        const letters = await deadLetters(prefix);
        // Each generated record once, in one place or the other; the batch after it stored.
        expect(ids.length + letters.length).toBe(records.length + 1);
        expect(ids).toContain(sentinel);
        for (const l of letters) expect(l.detail.length).toBeGreaterThan(0);
      }),
      { numRuns: 30 },
    );
  });
});
