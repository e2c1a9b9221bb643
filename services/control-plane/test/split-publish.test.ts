import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chat, type ServiceProcess, startTestCluster, type TestCluster, waitFor } from "./helpers.js";

/** What a change publishes stays small: keys one entry each, models in chunks past NATS' 1 MB payload. */
let cluster: TestCluster;
const admin = (method: string, path: string, body?: unknown) => cluster.admin(method, path, body);
const revision = async (p: ServiceProcess) => ((await (await fetch(`${p.url}/health`)).json()) as { revision: number }).revision;

beforeAll(async () => {
  cluster = await startTestCluster("cp_split");
  expect((await admin("POST", "/v1/db/providers", { name: "local", adapter: "mock" })).status).toBe(200);
  expect((await admin("POST", "/v1/db/models", { name: "m1", provider_id: 1 })).status).toBe(200);
}, 90_000);

afterAll(async () => {
  await cluster?.stop();
});

describe("split publishing", () => {
  it("a revoked key reaches every proxy as its own entry, without a new table", async () => {
    const created = await admin("POST", "/v1/db/keys", { name: "solo" });
    const { id, key } = created.body as { id: number; key: string };
    for (const p of cluster.proxies) await waitFor(async () => (await chat(p.url, "m1", key)) === 200, 8_000);
    const before = await Promise.all(cluster.proxies.map(revision));
    expect((await admin("POST", `/v1/db/keys/${id}/revoke`)).status).toBe(200);
    for (const p of cluster.proxies) await waitFor(async () => (await chat(p.url, "m1", key)) === 401, 5_000, 20);
    expect(await Promise.all(cluster.proxies.map(revision))).toEqual(before);
  });

  it("a key written into the database behind the admin API's back reaches the proxies on POST /v1/stats/refresh", async () => {
    const key = `sk-direct-${Date.now()}`;
    const c = new pg.Client({ connectionString: cluster.databaseUrl });
    await c.connect();
    await c
      .query(
        `INSERT INTO client_keys (name, hash, prefix, updated_at) VALUES ('direct', encode(sha256($1::bytea), 'hex'), 'sk-direct', now())`,
        [key],
      )
      .finally(() => c.end());
    expect((await admin("POST", "/v1/stats/refresh")).status).toBe(200);
    for (const p of cluster.proxies) await waitFor(async () => (await chat(p.url, "m1", key)) === 200, 5_000, 20);
  });

  it("5,000 models with 3 providers each (a table over NATS' 1 MB payload) reach every proxy; a change reaches them within 1 s and publishes one or two chunks", {
    timeout: 120_000,
  }, async () => {
    const key = (await admin("POST", "/v1/db/keys", { name: "bulk" })).body.key as string;
    const c = new pg.Client({ connectionString: cluster.databaseUrl });
    await c.connect();
    try {
      await c.query(`INSERT INTO providers (name, adapter, updated_at) SELECT 'bulk-' || i, 'mock', now() FROM generate_series(1, 3) i`);
      await c.query(`INSERT INTO models (name, updated_at) SELECT 'bulk-model-' || i, now() FROM generate_series(1, 5000) i`);
      await c.query(
        `INSERT INTO model_providers (model_id, provider_id, upstream_model, price, updated_at)
         SELECT m.id, p.id, 'mock-1', '{"input_per_mtok":1,"output_per_mtok":2}', now()
         FROM models m CROSS JOIN providers p WHERE m.name LIKE 'bulk-model-%' AND p.name LIKE 'bulk-%'`,
      );
    } finally {
      await c.end();
    }
    expect((await admin("POST", "/v1/db/models", { name: "after-bulk", provider_id: 1 })).status).toBe(200);
    for (const p of cluster.proxies) {
      await waitFor(async () => (await chat(p.url, "bulk-model-5000", key)) === 200, 30_000, 50);
      expect(await chat(p.url, "after-bulk", key)).toBe(200);
    }
    expect(cluster.cp.output()).toMatch(/"chunks":\d+[^\n]*routing table published/);
    expect(cluster.cp.output()).not.toMatch(/max_payload/);

    // Each change publishes the head and the chunk(s) it touched, and every proxy serves it within a
    // second of the admin API's answer (it re-reads and re-checks only what changed).
    const lastPublish = () =>
      JSON.parse(
        cluster.cp
          .output()
          .match(/[^\n]*routing table published[^\n]*/g)!
          .at(-1)!,
      ) as Record<string, number>;
    const within = async (change: () => Promise<{ status: number }>, served: (p: ServiceProcess) => Promise<boolean>) => {
      expect((await change()).status).toBe(200);
      const t0 = performance.now();
      await Promise.all(cluster.proxies.map((p) => waitFor(() => served(p), 5_000, 5)));
      const ms = performance.now() - t0;
      // What a failure message shows: where the time went (publish parts, each proxy's fetch + check + build).
      const applied = cluster.proxies.map((p) =>
        p
          .output()
          .match(/[^\n]*routing table applied[^\n]*/g)
          ?.at(-1),
      );
      return { ms, publish: lastPublish(), why: JSON.stringify({ ms, publish: lastPublish(), applied }) };
    };
    for (let i = 0; i < 3; i++) {
      const name = `after-bulk-${i}`;
      const r = await within(
        () => admin("POST", "/v1/db/models", { name, provider_id: 1 }),
        async (p) => (await chat(p.url, name, key)) === 200,
      );
      expect(r.ms, r.why).toBeLessThan(1_000);
      expect(r.publish.models).toBe(5_003 + i);
      expect(r.publish.newChunks).toBeGreaterThanOrEqual(1);
      expect(r.publish.newChunks).toBeLessThanOrEqual(2);
    }
    // A model removed from the middle: one chunk changes, not every chunk after it.
    const q = new pg.Client({ connectionString: cluster.databaseUrl });
    await q.connect();
    const { rows } = await q.query<{ id: number }>(`SELECT id FROM models WHERE name = 'bulk-model-2500'`).finally(() => q.end());
    const r = await within(
      () => admin("DELETE", `/v1/db/models/${rows[0]!.id}`),
      async (p) => (await chat(p.url, "bulk-model-2500", key)) === 404,
    );
    expect(r.ms, r.why).toBeLessThan(1_000);
    expect(r.publish.newChunks).toBeLessThanOrEqual(2);
    for (const p of cluster.proxies) expect(await chat(p.url, "bulk-model-2501", key)).toBe(200);
  });
});
