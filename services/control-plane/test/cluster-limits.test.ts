import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type PrivateRedis, startPrivateRedis, startTestCluster, type TestCluster, waitFor } from "./helpers.js";

/**
 * Client-key limits across two proxy replicas, counted in a Redis of this test's own (the machine's
 * shared one is never stopped): exact rpm, budgets by reservation, and limit/N while Redis is away.
 */
let cluster: TestCluster;
let redis: PrivateRedis;
const admin = (method: string, path: string, body?: unknown) => cluster.admin(method, path, body);

async function chat(proxyUrl: string, key: string, extra: Record<string, unknown> = {}) {
  const r = await fetch(`${proxyUrl}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
    body: JSON.stringify({ model: "priced", messages: [{ role: "user", content: "hi" }], ...extra }),
  });
  const body = (await r.json()) as { error?: { code: string }; usage?: { prompt_tokens: number; completion_tokens: number } };
  return { status: r.status, body };
}

async function newKey(fields: Record<string, unknown>): Promise<string> {
  const created = await admin("POST", "/v1/db/keys", { name: `k-${Math.random().toString(36).slice(2, 8)}`, ...fields });
  expect(created.status).toBe(201);
  const key = (created.body as { key: string }).key;
  // Both replicas know the key (404 for an unknown model comes after authentication, admitted or not).
  for (const p of cluster.proxies) await waitFor(async () => (await chat(p.url, key, { model: "no-such-model" })).status !== 401, 8_000);
  return key;
}

/** The id of the key created with this budget (each test gives its key a budget of its own). */
const idOfBudget = async (usd: number) =>
  ((await admin("GET", "/v1/db/keys")).body.keys as { id: number; budget_usd: number | null }[]).find((k) => k.budget_usd === usd)!.id;

/** `n` requests at once, spread evenly over both replicas. */
const burst = (key: string, n: number, extra: Record<string, unknown> = {}) =>
  Promise.all(Array.from({ length: n }, (_, i) => chat(cluster.proxies[i % 2]!.url, key, extra)));

beforeAll(async () => {
  redis = await startPrivateRedis();
  // A ledger writer, as deployed: after a reset a replica's earlier spend is told apart through the ledger.
  cluster = await startTestCluster("cp_limits", 2, { REDIS_URL: redis.url }, { worker: true });
  expect((await admin("POST", "/v1/db/providers", { name: "local", adapter: "mock" })).status).toBe(200);
  const m = await admin("POST", "/v1/db/models", { name: "priced", provider_id: 1, upstream_model: "mock-1" });
  await admin("PUT", `/v1/db/models/${m.body.id}/providers/1`, { price: { input_per_mtok: 1000, output_per_mtok: 1000 } });
}, 90_000);

afterAll(async () => {
  await cluster?.stop();
  await redis?.stop();
});

describe("client-key limits across replicas (Redis)", () => {
  it("a key with rpm 20 gets exactly 20 of 60 requests spread over both replicas", async () => {
    const key = await newKey({ rpm_limit: 20 });
    const results = await burst(key, 60);
    const served = results.filter((r) => r.status === 200).length;
    expect(served).toBe(20);
    for (const r of results.filter((x) => x.status !== 200)) {
      expect(r.status).toBe(429);
      expect(r.body.error?.code).toBe("rate_limit_exceeded");
    }
  });

  it("40 concurrent requests against a budget that covers 10 serve at most 10 (reservations)", async () => {
    // What one answer costs: learnt from a key without a budget.
    const probe = await chat(cluster.proxies[0]!.url, await newKey({}), { max_tokens: 50 });
    expect(probe.status).toBe(200);
    const u = probe.body.usage!;
    const cost = ((u.prompt_tokens + u.completion_tokens) * 1000) / 1e6;
    const key = await newKey({ budget_usd: 10 * cost });
    const results = await burst(key, 40, { max_tokens: 50 });
    const served = results.filter((r) => r.status === 200).length;
    // Reservations (prompt estimate + max_tokens at the price) exceed the real cost: never more than 10.
    expect(served).toBeGreaterThan(0);
    expect(served).toBeLessThanOrEqual(10);
    for (const r of results.filter((x) => x.status !== 200)) expect(r.body.error?.code).toBe("insufficient_quota");
    // Settled: the shared spend is the real cost of what was served, no reservation left behind.
    const r = new Redis(redis.url);
    try {
      await waitFor(async () => {
        const keys = await r.keys(`ai-router:${cluster.bucket}:limits:*:spend:*`);
        const values = await Promise.all(keys.map((k) => r.get(k)));
        return values.some((v) => Math.abs(Number(v) - served * cost) < 1e-9);
      }, 5_000);
    } finally {
      r.disconnect();
    }
  });

  it("a budget is exact across replicas, and reset-spend opens a fresh count on each of them", { timeout: 60_000 }, async () => {
    // $1000 per million tokens: one answer costs more than the $0.001 budget.
    const key = await newKey({ budget_usd: 0.001 });
    const id = await idOfBudget(0.001);
    const [a, b] = [cluster.proxies[0]!.url, cluster.proxies[1]!.url];
    const refusedOn = async (url: string) => {
      const r = await chat(url, key);
      expect([r.status, r.body.error?.code]).toEqual([429, "insufficient_quota"]);
    };
    expect((await chat(a, key)).status).toBe(200);
    // The other replica refuses at once: the spend is counted in Redis, not learnt from the ledger.
    await refusedOn(b);
    await refusedOn(a);
    // The answers served so far, as the ledger holds them.
    const served = async () => ((await admin("GET", `/v1/db/usage?key_id=${id}&status=200`)).body.data as unknown[]).length;
    for (const [round, [first, other]] of (
      [
        [a, b],
        [b, a],
      ] as const
    ).entries()) {
      // The reset comes once the ledger has stored the answers before it (their records travel through
      // NATS and the ledger writer, which a loaded CI machine can hold up for seconds): the replica that
      // served one then sees it counted before the reset, not as spend of the new epoch.
      await waitFor(async () => (await served()) === round + 1, 20_000, 100);
      expect((await admin("POST", `/v1/db/keys/${id}/reset-spend`)).status).toBe(200);
      // Reopened once the replica has the key's new spend epoch; its one answer spends the budget for both.
      await waitFor(async () => (await chat(first, key)).status === 200, 20_000, 100);
      await refusedOn(other);
      await refusedOn(first);
    }
  });

  it("reset-spend while an answer is still on its way to the ledger: the key reopens once the ledger has it", {
    timeout: 60_000,
  }, async () => {
    const key = await newKey({ budget_usd: 0.002 });
    const id = await idOfBudget(0.002);
    const [a, b] = [cluster.proxies[0]!.url, cluster.proxies[1]!.url];
    // No ledger writer: the answer's record waits in the stream.
    await cluster.workers.at(-1)!.stop("SIGKILL");
    expect((await chat(a, key)).status).toBe(200);
    expect((await admin("POST", `/v1/db/keys/${id}/reset-spend`)).status).toBe(200);
    await cluster.startWorker();
    // Replica a learns from the ledger that its answer came before the reset, and admits again.
    await waitFor(async () => (await chat(a, key)).status === 200, 20_000, 100);
    for (const url of [b, a]) expect((await chat(url, key)).body.error?.code).toBe("insufficient_quota");
  });

  it("with Redis down each replica enforces limit / 2, logs it, and returns to the shared count", { timeout: 60_000 }, async () => {
    const key = await newKey({ rpm_limit: 20 });
    await redis.stop();
    try {
      const results = await burst(key, 60);
      // Each replica counts 20 / 2 replicas = 10 on its own.
      expect(results.filter((r) => r.status === 200).length).toBe(20);
      // Logs are written asynchronously: the line may reach this process after the answers.
      for (const p of cluster.proxies)
        await waitFor(() => /Redis unreachable: client-key limits enforced per replica/.test(p.output()), 2_000);
    } finally {
      await redis.start();
    }
    // The first limited request that reaches Redis again switches a replica back (and logs it).
    const poke = await newKey({ rpm_limit: 100_000 });
    await waitFor(
      async () => {
        await Promise.all(cluster.proxies.map((p) => chat(p.url, poke)));
        return cluster.proxies.every((p) => /Redis is back/.test(p.output()));
      },
      15_000,
      200,
    );
    const fresh = await newKey({ rpm_limit: 6 });
    const again = await burst(fresh, 12);
    expect(again.filter((r) => r.status === 200).length).toBe(6);
  });
});
