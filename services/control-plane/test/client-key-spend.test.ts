import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readPublishedTable, type ServiceProcess, startTestCluster, type TestCluster, waitFor } from "./helpers.js";

/**
 * Budgets across replicas without Redis: control plane + 2 proxy processes, a private bucket and
 * database. Each replica checks a budget against the ledger's spend (spend updates) plus its own spend
 * since, so after a reset each replica serves again until it hears of the other's spend. With REDIS_URL
 * budgets are exact cluster-wide instead (cluster-limits.test.ts): the first answer after a reset spends
 * this budget for both replicas.
 */
let cluster: TestCluster;
const admin = (method: string, path: string, body?: unknown) => cluster.admin(method, path, body);

async function chat(proxyUrl: string, key: string, model = "priced") {
  const r = await fetch(`${proxyUrl}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
    body: JSON.stringify({ model, messages: [{ role: "user", content: "hi" }] }),
  });
  return { status: r.status, body: (await r.json()) as { error?: { code: string } } };
}

/** The revision a proxy serves. */
const served = async (p: ServiceProcess) => ((await (await fetch(`${p.url}/health`)).json()) as { revision: number }).revision;

const publishedTable = () => readPublishedTable<{ revision: number; clientKeys: { name: string; spentUsd?: number }[] }>(cluster.bucket);

beforeAll(async () => {
  // Spend comes from the usage ledger: a health worker writes it.
  cluster = await startTestCluster("cp_spend", 2, {}, { worker: true });
}, 60_000);

afterAll(async () => {
  await cluster?.stop();
});

describe("client key budgets across replicas", () => {
  it("spend reported by one proxy lands in the key, reaches the table, and the other replica refuses; reset-spend reopens it", async () => {
    expect((await admin("POST", "/v1/db/providers", { name: "local", adapter: "mock" })).status).toBe(200);
    const m = await admin("POST", "/v1/db/models", { name: "priced", provider_id: 1, upstream_model: "mock-1" });
    expect(m.status).toBe(200);
    // $1000 per million tokens: one answer costs more than the $0.001 budget.
    const link = await admin("PUT", `/v1/db/models/${m.body.id}/providers/1`, { price: { input_per_mtok: 1000, output_per_mtok: 1000 } });
    expect(link.status).toBe(200);
    const created = await admin("POST", "/v1/db/keys", { name: "team-budget", budget_usd: 0.001 });
    expect(created.status).toBe(201);
    const { id, key } = created.body as { id: number; key: string };
    const [a, b] = [cluster.proxies[0]!, cluster.proxies[1]!];
    // Both replicas know the key (404 for an unknown model comes after authentication), without spending.
    for (const p of [a, b]) await waitFor(async () => (await chat(p.url, key, "no-such-model")).status === 404, 5_000);

    expect((await chat(a.url, key)).status).toBe(200);
    const local = await chat(a.url, key);
    expect(local.status).toBe(429);
    expect(local.body.error?.code).toBe("insufficient_quota");

    // Replica A's usage records reach the ledger; the control plane sends the ledger's spend to every proxy (no table republish).
    const revisionBefore = (await publishedTable()).revision;
    const out = await waitFor(
      async () => {
        const k = (await admin("GET", `/v1/db/keys/${id}`)).body as { spent_usd: number; budget_remaining_usd: number };
        return k.spent_usd > 0.001 ? k : undefined;
      },
      10_000,
      100,
    );
    expect(out.budget_remaining_usd).toBe(0);
    // Replica B never served the key, yet the budget is spent for it too.
    const other = await waitFor(
      async () => {
        const r = await chat(b.url, key);
        return r.status === 429 ? r : undefined;
      },
      10_000,
      100,
    );
    expect((await publishedTable()).revision).toBe(revisionBefore);
    expect(other.body.error?.code).toBe("insufficient_quota");

    const reset = await admin("POST", `/v1/db/keys/${id}/reset-spend`);
    expect(reset.status).toBe(200);
    expect(reset.body).toMatchObject({ spent_usd: 0, budget_remaining_usd: 0.001, spend_reset_at: expect.any(String) });
    const audit = await admin("GET", `/v1/db/audit?entity=client_key&entity_id=${id}&limit=1`);
    const entry = (audit.body.entries as { action: string; details: { spent_usd: number } }[])[0]!;
    expect(entry.action).toBe("reset_spend");
    expect(entry.details.spent_usd).toBeGreaterThan(0.001);
    const revision = Number(reset.headers.get("x-router-revision"));
    for (const p of [a, b]) await waitFor(async () => (await served(p)) >= revision, 5_000);
    // A request served just before the reset may still be on its way to the ledger: the replica that
    // served it counts it until the ledger has it (then the reset excludes it), within about a second.
    await waitFor(async () => (await chat(b.url, key)).status === 200, 10_000, 200);
    await waitFor(async () => (await chat(a.url, key)).status === 200, 10_000, 200);

    // The OpenAPI document (from the zod schemas) has the new route and the spend fields.
    const doc = (await admin("GET", "/openapi.json")).body as {
      paths: Record<string, { post?: { responses: Record<string, { content: Record<string, { schema: unknown }> }> } }>;
    };
    const resetDoc = doc.paths["/v1/db/keys/{id}/reset-spend"]?.post;
    expect(resetDoc).toBeDefined();
    expect(JSON.stringify(resetDoc?.responses["200"])).toContain("spent_usd");
  }, 40_000);
});
