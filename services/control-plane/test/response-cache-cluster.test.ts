import { randomUUID } from "node:crypto";
import { type MockUpstream, startMockUpstream } from "@ai-router/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exportConfig } from "../src/config-io/export-config.js";
import { createPrisma, type PrismaClient } from "../src/db/client.js";
import { MASTER_KEY, readPublishedTable, startTestCluster, type TestCluster, waitFor } from "./helpers.js";

/**
 * The response cache in cluster mode: set through the admin API (`cache_ttl_s`), compiled into the
 * table, kept in Redis: an answer one proxy replica stored is a hit on the other, with no upstream call.
 */
let up: MockUpstream;
let cluster: TestCluster;
let prisma: PrismaClient;
let modelId = 0;

let key = "";

async function ask(proxyUrl: string, content: string, as = key) {
  const r = await fetch(`${proxyUrl}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${as}` },
    body: JSON.stringify({ model: "cached", messages: [{ role: "user", content }] }),
  });
  return { status: r.status, cache: r.headers.get("x-router-cache"), body: await r.text() };
}

/** A client key both replicas know (an unknown model is a 404 only after authentication). */
async function newKey(fields: Record<string, unknown>): Promise<string> {
  const created = await cluster.admin("POST", "/v1/db/keys", { name: `k-${randomUUID().slice(0, 8)}`, ...fields });
  expect(created.status).toBe(201);
  const k = (created.body as { key: string }).key;
  for (const px of cluster.proxies) {
    await waitFor(async () => {
      const r = await fetch(`${px.url}/v1/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${k}` },
        body: JSON.stringify({ model: "no-such-model", messages: [{ role: "user", content: "?" }] }),
      });
      return r.status !== 401;
    }, 8_000);
  }
  return k;
}

beforeAll(async () => {
  up = await startMockUpstream();
  cluster = await startTestCluster("cp_rcache", 2, { REDIS_URL: process.env.REDIS_URL ?? "redis://127.0.0.1:6379" });
  prisma = createPrisma(cluster.databaseUrl);
  const p = await cluster.admin("POST", "/v1/db/providers", {
    name: "up",
    adapter: "openai-compatible",
    base_url: up.baseUrl,
    api_key: "sk-up-0001",
  });
  expect(p.status).toBe(200);
  const m = await cluster.admin("POST", "/v1/db/models", { name: "cached", provider_id: 1, upstream_model: "gpt-4o", cache_ttl_s: 120 });
  expect(m.status).toBe(200);
  modelId = m.body.id as number;
  key = await newKey({});
  expect((await cluster.admin("GET", `/v1/db/models/${modelId}`)).body).toMatchObject({ cache_ttl_s: 120, cache_breakpoints: true });
  for (const px of cluster.proxies) await waitFor(async () => (await ask(px.url, "warm-up")).cache !== null, 10_000);
}, 60_000);
afterAll(async () => {
  await prisma?.$disconnect();
  await cluster?.stop();
  await up?.close();
});

describe("response cache across proxy replicas (Redis)", () => {
  it("a miss on replica 1 is a hit on replica 2, the provider called once", async () => {
    const [a, b] = cluster.proxies;
    const content = `shared cache ${randomUUID()}`;
    const before = up.received("/chat/completions").length;
    const miss = await ask(a!.url, content);
    expect(miss).toMatchObject({ status: 200, cache: "miss" });
    // Stored off the request path: the hit may take a moment to be visible.
    await waitFor(async () => (await ask(b!.url, content)).cache === "hit", 5_000);
    const hit = await ask(b!.url, content);
    expect(hit.body).toBe(miss.body);
    expect(up.received("/chat/completions").length - before).toBe(1);
  });

  it("a hit counts against the key's rpm cluster-wide (Redis), the provider called once", async () => {
    const [a, b] = cluster.proxies;
    const limited = await newKey({ rpm_limit: 3 });
    const content = `rpm ${randomUUID()}`;
    const before = up.received("/chat/completions").length;
    expect((await ask(a!.url, content, limited)).cache).toBe("miss");
    await new Promise((r) => setTimeout(r, 300)); // the entry is stored off the request path
    expect((await ask(b!.url, content, limited)).cache).toBe("hit");
    expect((await ask(a!.url, content, limited)).cache).toBe("hit");
    expect((await ask(b!.url, content, limited)).status).toBe(429);
    expect(up.received("/chat/completions").length - before).toBe(1);
  });

  it("the admin fields reach the table and the export; null turns the cache off", async () => {
    const updated = await cluster.admin("PUT", `/v1/db/models/${modelId}`, { cache_breakpoints: false, cache_shared: true });
    expect(updated.body).toMatchObject({ cache_ttl_s: 120, cache_breakpoints: false, cache_shared: true });
    type Published = { models: { name: string; cacheBreakpoints?: boolean; cache?: { ttlS: number; shared: boolean } }[] };
    const model = async () => (await readPublishedTable<Published>(cluster.bucket)).models.find((m) => m.name === "cached");
    await waitFor(async () => (await model())?.cacheBreakpoints === false, 5_000);
    expect((await model())?.cache).toMatchObject({ ttlS: 120, shared: true });
    const { yaml } = await exportConfig(prisma, { withSecrets: false, masterKey: Buffer.from(MASTER_KEY, "hex") });
    expect(yaml).toContain("ttl_s: 120");
    expect(yaml).toContain("cache_breakpoints: false");
    expect(yaml).toContain("shared: true");
    expect((await cluster.admin("PUT", `/v1/db/models/${modelId}`, { cache_ttl_s: null })).body).toMatchObject({ cache_ttl_s: null });
    await waitFor(async () => (await model())?.cache === undefined, 5_000);
    for (const px of cluster.proxies) await waitFor(async () => (await ask(px.url, "after off")).cache === null, 10_000);
  });
});
