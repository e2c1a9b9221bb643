import { randomBytes } from "node:crypto";
import { createSigner, usageLedger } from "@ai-router/contracts";
import { jetstream } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closePool, NATS_URL, usageRecord as rec, signer, startTestCluster, type TestCluster, testPool, waitFor } from "./helpers.js";

/**
 * Issue 27 end to end (real proxies, NATS, health worker, Postgres): one client request must never stop
 * the ledger (finding 1), and a batch published on NATS without the master key must never charge a key
 * (finding 5).
 */
let cluster: TestCluster;
let db: pg.Pool;
let nc: NatsConnection;
let key: string;
let victim: { id: number };

beforeAll(async () => {
  cluster = await startTestCluster("ledger_poison", 2, {}, { worker: true });
  const { admin } = cluster;
  expect((await admin("POST", "/v1/db/providers", { name: "local", adapter: "mock" })).status).toBe(200);
  const m = await admin("POST", "/v1/db/models", { name: "m", provider_id: 1, upstream_model: "mock-1" });
  expect(m.status).toBe(200);
  key = ((await admin("POST", "/v1/db/keys", { name: "team" })).body as { key: string }).key;
  victim = (await admin("POST", "/v1/db/keys", { name: "victim", budget_usd: 100 })).body as { id: number };
  for (const p of cluster.proxies) await waitFor(async () => (await chat(p.url, "m")).status === 200, 10_000, 100);
  db = testPool(cluster.databaseUrl);
  nc = await connect({ servers: NATS_URL });
}, 90_000);

afterAll(async () => {
  await nc?.close();
  await closePool(db);
  await cluster?.stop();
});

/** A chat request (the body as text: lone surrogates travel as JSON escapes); status and request id. */
async function chat(base: string, model: string): Promise<{ status: number; id: string }> {
  const r = await fetch(`${base}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
    body: JSON.stringify({ model, messages: [{ role: "user", content: "hi" }] }),
  });
  await r.arrayBuffer();
  return { status: r.status, id: r.headers.get("x-request-id")! };
}

const storedOf = async (ids: string[]) =>
  (await db.query<{ id: string; model: string | null }>("SELECT id, model FROM usage_records WHERE id = ANY($1)", [ids])).rows;
async function waitStored(ids: string[], timeoutMs = 20_000) {
  await waitFor(async () => (await storedOf(ids)).length === ids.length, timeoutMs, 100);
  return new Map((await storedOf(ids)).map((r) => [r.id, r.model]));
}

describe("one request cannot stop the usage ledger", () => {
  it('model "x\\u0000y" and "\\ud800" on both replicas, then 50 normal requests: all 54 stored, none waiting on a redelivery', async () => {
    const [a, b] = cluster.proxies.map((p) => p.url) as [string, string];
    const poison = [await chat(a, "x\u0000y"), await chat(b, "\ud800"), await chat(a, "\ud800"), await chat(b, "x\u0000y")];
    expect(poison.map((p) => p.status)).toEqual([404, 404, 404, 404]);
    const normal = await Promise.all(Array.from({ length: 50 }, (_, i) => chat(i % 2 ? a : b, "m")));
    expect(normal.every((n) => n.status === 200)).toBe(true);
    // Within seconds: a batch held back for a redelivery (10 s) would not make it.
    const models = await waitStored(
      [...poison, ...normal].map((x) => x.id),
      8_000,
    );
    expect(poison.map((p) => models.get(p.id))).toEqual(["x\ufffdy", "\ufffd", "\ufffd", "x\ufffdy"]);
  }, 60_000);

  it("a 1.2 MB model name on one replica: a 404, and that replica's later requests are all stored", async () => {
    const a = cluster.proxies[0]!.url;
    const huge = await chat(a, `big-${"n".repeat(1_200_000)}`);
    expect(huge.status).toBe(404);
    const later = [];
    for (let i = 0; i < 10; i++) later.push(await chat(a, "m"));
    const models = await waitStored([huge, ...later].map((x) => x.id));
    expect(models.get(huge.id)).toHaveLength(256);
  }, 60_000);
});

describe("usage batches on NATS are signed", () => {
  it("forged and unsigned batches charge no key and store nothing; a signed one is stored and charged; a refused row is dead-lettered", async () => {
    const js = jetstream(nc);
    const subject = usageLedger.subject(cluster.bucket, "anything");
    const batch = (records: unknown[]) => JSON.stringify({ replica: "anything", records });
    const charge = (id: string, cost: number, over = {}) =>
      rec(id, { key_id: String(victim.id), key_name: "victim", cost_usd: cost, ...over });
    // What whoever can publish on NATS, without ROUTER_MASTER_KEY, can send.
    await js.publish(subject, batch([charge("forged-unsigned", 100)]));
    await js.publish(subject, createSigner(randomBytes(32)).sign(batch([charge("forged-other-key", 100)]), subject));
    await js.publish(subject, signer.sign(batch([charge("forged-other-subject", 100)]), usageLedger.subject(cluster.bucket, "r2")));
    // Signed: stored and charged; in the same batch, a row Postgres refuses (int4 overflow) goes to the dead letters.
    await js.publish(
      subject,
      signer.sign(batch([charge("signed-bad", 1, { response_bytes: 3_000_000_000 }), charge("signed-ok", 0.25)]), subject),
    );
    await waitStored(["signed-ok"]);
    expect(await storedOf(["forged-unsigned", "forged-other-key", "forged-other-subject", "signed-bad"])).toEqual([]);
    const spent = await db.query("SELECT spent_usd FROM client_keys WHERE id = $1", [victim.id]);
    expect(spent.rows[0].spent_usd).toBe(0.25);
    const letters = await db.query(
      "SELECT record_id, reason, detail FROM usage_dead_letter WHERE record_id LIKE 'signed-%' OR record_id LIKE 'forged-%'",
    );
    expect(letters.rows).toEqual([{ record_id: "signed-bad", reason: "refused", detail: expect.stringMatching(/^22003: /) }]);
    // Counted once the writer is done with the batch (just after its rows commit).
    const metrics = await waitFor(async () => {
      const text = await (await fetch(`${cluster.workers[0]!.url}/metrics`)).text();
      return /^ai_router_ledger_dead_letters_total\{reason="refused"\} 1$/m.test(text) ? text : undefined;
    }, 5_000);
    expect(metrics).toMatch(/^ai_router_ledger_batches_rejected_total\{reason="unsigned"\} 1$/m);
    expect(metrics).toMatch(/^ai_router_ledger_batches_rejected_total\{reason="bad_signature"\} 2$/m);
    expect(cluster.workers[0]!.output()).toContain("usage batch rejected: not signed with ROUTER_MASTER_KEY");
  }, 60_000);
});
