import { type MockUpstream, startMockUpstream } from "@ai-router/testing";
import { Redis } from "ioredis";
import OpenAI, { toFile } from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FineTuneMock, startFineTuneMock } from "../../proxy/test/fine-tune-mock.js";
import { chat, closePool, REDIS_URL, startTestCluster, type TestCluster, testPool, waitFor } from "./helpers.js";

/** The offline APIs in cluster mode: state in PostgreSQL, batches run by the health worker through a proxy. */
let cluster: TestCluster;
let up: MockUpstream;
let ft: FineTuneMock;
let keyA: string;
let keyB: string;
let keyAId: number;
/** The model the fine-tuning test trained (the ledger test reads its records). */
let tunedModel: string | undefined;
/** The batch the router ran in the first test (the ledger test reads its lines' records). */
let routerBatch: string | undefined;
const CONCURRENCY = 4;

const sdk = (i: number, key: string) => new OpenAI({ baseURL: `${cluster.proxies[i]!.url}/v1`, apiKey: key, maxRetries: 0 });
const lines = (n: number, model: string, from = 0) =>
  Array.from({ length: n }, (_, i) =>
    JSON.stringify({
      custom_id: `req-${from + i}`,
      method: "POST",
      url: "/v1/chat/completions",
      body: { model, messages: [{ role: "user", content: `line ${from + i}` }] },
    }),
  ).join("\n");

/** Polls as a client would, from the given replica, until the batch is final. */
async function untilFinal(client: OpenAI, id: string, timeoutMs = 30_000) {
  return waitFor(
    async () => {
      const b = await client.batches.retrieve(id);
      return ["completed", "failed", "expired", "cancelled"].includes(b.status) ? b : undefined;
    },
    timeoutMs,
    50,
  );
}

/** Every custom_id in a batch's output and error files. */
async function customIds(client: OpenAI, b: { output_file_id?: string | null; error_file_id?: string | null }) {
  const ids: string[] = [];
  for (const f of [b.output_file_id, b.error_file_id]) {
    if (!f) continue;
    const text = await (await client.files.content(f)).text();
    for (const line of text.trim().split("\n")) ids.push(JSON.parse(line).custom_id as string);
  }
  return ids;
}

beforeAll(async () => {
  up = await startMockUpstream();
  ft = await startFineTuneMock();
  cluster = await startTestCluster(
    "cp_offline",
    2,
    {},
    {
      worker: true,
      offline: { ROUTER_BATCH_CONCURRENCY: String(CONCURRENCY), ROUTER_OFFLINE_POLL_MS: "300", ROUTER_OFFLINE_LOCK_MS: "1500" },
    },
  );
  const { admin } = cluster;
  expect(
    (
      await admin("POST", "/v1/db/providers", {
        name: "chat-only",
        adapter: "openai-compatible",
        base_url: up.baseUrl,
        api_key: "sk-up-1111",
      })
    ).status,
  ).toBe(200);
  expect(
    (await admin("POST", "/v1/db/providers", { name: "trainer", adapter: "openai", base_url: ft.baseUrl, api_key: "sk-ft-2222" })).status,
  ).toBe(200);
  await admin("POST", "/v1/db/models", { name: "chat-model", provider_id: 1, upstream_model: "mock-1" });
  await admin("POST", "/v1/db/models", { name: "ft-base", provider_id: 2, upstream_model: "gpt-4o-mini" });
  const a = await admin("POST", "/v1/db/keys", { name: "team-a" });
  keyA = a.body.key as string;
  keyAId = a.body.id as number;
  const b = await admin("POST", "/v1/db/keys", { name: "team-b" });
  keyB = b.body.key as string;
  const revision = Number(b.headers.get("x-router-revision"));
  await Promise.all(
    cluster.proxies.map((p) =>
      waitFor(async () => {
        const h = (await (await fetch(`${p.url}/health`)).json()) as { revision: number };
        return h.revision >= revision && (await chat(p.url, "chat-model", keyA)) === 200;
      }, 10_000),
    ),
  );
}, 90_000);

afterAll(async () => {
  const bucket = cluster?.bucket;
  await cluster?.stop();
  await Promise.all([up?.close(), ft?.close()]);
  if (bucket) {
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys(`ai-router:${bucket}:*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  }
});

describe("files and batches in cluster mode", () => {
  it("a batch created on one replica is run by the worker and read, with its files, from the other; other keys see nothing", async () => {
    const a0 = sdk(0, keyA);
    const a1 = sdk(1, keyA);
    const text = `${lines(3, "chat-model")}\n${lines(1, "no-such-model", 3)}`;
    const file = await a0.files.create({ file: await toFile(Buffer.from(text), "in.jsonl"), purpose: "batch" });
    expect((await a1.files.retrieve(file.id)).bytes).toBe(Buffer.byteLength(text));
    const made = await a0.batches.create({ input_file_id: file.id, endpoint: "/v1/chat/completions", completion_window: "24h" });
    const done = await untilFinal(a1, made.id);
    routerBatch = made.id;
    expect(done.status).toBe("completed");
    expect(done.request_counts).toEqual({ total: 4, completed: 3, failed: 1 });
    const out = (await (await a1.files.content(done.output_file_id as string)).text())
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(out.map((l) => l.custom_id).sort()).toEqual(["req-0", "req-1", "req-2"]);
    expect(out[0].response.status_code).toBe(200);
    expect(out[0].response.body.choices[0].message.role).toBe("assistant");
    const errors = (await (await a0.files.content(done.error_file_id as string)).text())
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ custom_id: "req-3", response: { status_code: 404 } });
    // Per-key isolation on both replicas: 404 as if nothing existed, and empty listings.
    for (const i of [0, 1]) {
      const b = sdk(i, keyB);
      await expect(b.batches.retrieve(made.id)).rejects.toMatchObject({ status: 404 });
      await expect(b.files.retrieve(file.id)).rejects.toMatchObject({ status: 404 });
      await expect(b.files.content(done.output_file_id as string)).rejects.toMatchObject({ status: 404 });
      expect((await b.batches.list()).data).toEqual([]);
      expect((await b.files.list()).data).toEqual([]);
    }
    expect((await a1.batches.list()).data.map((x) => x.id)).toContain(made.id);
  });

  it("a 300-line batch whose worker is SIGKILLed halfway resumes; every custom_id exactly once", async () => {
    const N = 300;
    up.behavior.fallback = { delayMs: 10 };
    try {
      const a = sdk(0, keyA);
      const before = up.received("/chat/completions").length;
      const file = await a.files.create({ file: await toFile(Buffer.from(lines(N, "chat-model")), "big.jsonl"), purpose: "batch" });
      const made = await a.batches.create({ input_file_id: file.id, endpoint: "/v1/chat/completions", completion_window: "24h" });
      await waitFor(() => up.received("/chat/completions").length - before >= N / 2, 20_000, 2);
      await cluster.workers[0]!.stop("SIGKILL");
      cluster.workers.shift();
      expect(up.received("/chat/completions").length - before).toBeLessThan(N);
      await cluster.startWorker();
      const done = await untilFinal(sdk(1, keyA), made.id, 40_000);
      expect(done.status).toBe("completed");
      expect(done.request_counts).toEqual({ total: N, completed: N, failed: 0 });
      const ids = await customIds(a, done);
      expect(ids).toHaveLength(N);
      expect(new Set(ids).size).toBe(N);
      // Resumed where it stopped: at most the lines in flight at the kill were sent twice.
      expect(up.received("/chat/completions").length - before).toBeLessThanOrEqual(N + CONCURRENCY);
    } finally {
      up.behavior.reset();
    }
  }, 90_000);
});

describe("fine-tuning in cluster mode", () => {
  it("a job created on one replica is read on the other; its model is routable on both, for the owning key only", async () => {
    const a0 = sdk(0, keyA);
    const a1 = sdk(1, keyA);
    const example = JSON.stringify({
      messages: [
        { role: "user", content: "hi" },
        { role: "assistant", content: "hello" },
      ],
    });
    const file = await a0.files.create({
      file: await toFile(Buffer.from(`${example}\n${example}\n`), "train.jsonl"),
      purpose: "fine-tune",
    });
    const job = await a0.fineTuning.jobs.create({ model: "ft-base", training_file: file.id });
    expect(job).toMatchObject({ model: "ft-base", training_file: file.id });
    await expect(sdk(1, keyB).fineTuning.jobs.retrieve(job.id)).rejects.toMatchObject({ status: 404 });
    const succeeded = await waitFor(
      async () => {
        const j = await a1.fineTuning.jobs.retrieve(job.id);
        return j.status === "succeeded" ? j : undefined;
      },
      10_000,
      50,
    );
    const model = succeeded.fine_tuned_model as string;
    tunedModel = model;
    expect(model).toMatch(/^ft:gpt-4o-mini:/);
    expect((await a0.fineTuning.jobs.list()).data.map((j) => j.id)).toEqual([job.id]);
    for (const p of cluster.proxies) {
      await waitFor(async () => (await chat(p.url, model, keyA)) === 200, 10_000, 50);
      expect(await chat(p.url, model, keyB)).toBe(404);
    }
    expect(ft.chatModels).toContain(model);
  });

  it("the admin shares the tuned model with another key (every replica routes and lists it for that key) and unshares it", async () => {
    const model = tunedModel as string;
    expect(model).toBeDefined();
    const path = `/v1/admin/fine_tuning/models/${encodeURIComponent(model)}/shared_with`;
    const listed = async (url: string, key: string) => {
      const r = await fetch(`${url}/v1/models`, { headers: { authorization: `Bearer ${key}` } });
      return ((await r.json()) as { data: { id: string }[] }).data.map((m) => m.id).includes(model);
    };
    expect(await listed(cluster.proxies[0]!.url, keyB)).toBe(false);
    // Bad requests name what is wrong; nothing changes.
    const unknownKey = await cluster.admin("PUT", path, { keys: ["team-b", "no-such-key"] });
    expect(unknownKey.status).toBe(400);
    expect(unknownKey.body.error).toMatchObject({ type: "invalid_request_error", param: "keys" });
    expect(String((unknownKey.body.error as { message: string }).message)).toContain("no-such-key");
    expect((await cluster.admin("PUT", path, { keys: "team-b" })).status).toBe(400);
    expect((await cluster.admin("PUT", "/v1/admin/fine_tuning/models/ft%3Anope/shared_with", { keys: [] })).status).toBe(404);
    // Through a proxy's port (forwarded to the control plane), as the console does.
    const shared = await cluster.admin("PUT", path, { keys: ["team-b"] }, cluster.proxies[1]!.url);
    expect(shared.status).toBe(200);
    expect(shared.body).toMatchObject({ model, owner: "team-a", shared_with: ["team-b"] });
    for (const p of cluster.proxies) {
      await waitFor(async () => (await chat(p.url, model, keyB)) === 200, 10_000, 50);
      expect(await listed(p.url, keyB)).toBe(true);
      expect(await chat(p.url, model, keyA)).toBe(200);
    }
    const jobs = await cluster.admin("GET", "/v1/admin/fine_tuning/jobs");
    const row = (jobs.body.data as Record<string, unknown>[]).find((j) => j.fine_tuned_model === model);
    expect(row?.shared_with).toEqual(shared.body.shared_with_key_ids);
    expect(row?.shared_with_names).toEqual(["team-b"]);
    const audit = testPool(cluster.databaseUrl);
    try {
      const a = await audit.query("SELECT action, entity_id FROM audit_log WHERE entity = 'fine_tuned_model'");
      expect(a.rows).toEqual([{ action: "share", entity_id: model }]);
    } finally {
      await closePool(audit);
    }
    // Unshared: gone for B on every replica, still the owner's.
    expect((await cluster.admin("PUT", path, { keys: [] })).status).toBe(200);
    for (const p of cluster.proxies) {
      await waitFor(async () => (await chat(p.url, model, keyB)) === 404, 10_000, 50);
      expect(await listed(p.url, keyB)).toBe(false);
      expect(await chat(p.url, model, keyA)).toBe(200);
    }
  });
});

describe("the ledger in cluster mode", () => {
  it("charges a native batch's lines at the batch price, a succeeded job's trained tokens, and the tuned model at its own price", async () => {
    const a = sdk(0, keyA);
    const file = await a.files.create({ file: await toFile(Buffer.from(lines(2, "ft-base")), "native.jsonl"), purpose: "batch" });
    const made = await a.batches.create({ input_file_id: file.id, endpoint: "/v1/chat/completions", completion_window: "24h" });
    const done = await untilFinal(sdk(1, keyA), made.id);
    expect(done).toMatchObject({ status: "completed", request_counts: { total: 2, completed: 2, failed: 0 } });
    // It ran at the provider's own batch API, not line by line through the router.
    expect([...ft.batches.values()].map((b) => b.status)).toEqual(["completed"]);
    const pool = testPool(cluster.databaseUrl);
    try {
      const rowsOf = (where: string, arg: string, n: number) =>
        waitFor(
          async () => {
            const r = await pool.query(
              `SELECT ingress, endpoint, model, key_id, status, prompt_tokens, completion_tokens, cost_usd, batch_id FROM usage_records WHERE ${where} = $1`,
              [arg],
            );
            return r.rows.length >= n ? r.rows : undefined;
          },
          15_000,
          100,
        );
      // Lines the router ran are requests through a replica: one record each, marked with their batch.
      const routed = (await rowsOf("batch_id", routerBatch as string, 3)).filter((r) => r.status === 200);
      expect(routed.map((r) => [r.ingress, r.model, r.key_id])).toEqual(Array(3).fill(["openai-chat", "chat-model", String(keyAId)]));
      const lineRows = await rowsOf("batch_id", made.id, 2);
      expect(lineRows).toHaveLength(2);
      for (const r of lineRows) {
        expect(r).toMatchObject({ ingress: "openai-batch", endpoint: "chat.completions", model: "ft-base", key_id: String(keyAId) });
        expect([r.prompt_tokens, r.completion_tokens]).toEqual([3, 2]);
        // gpt-4o-mini through OpenAI's Batch API: half of $0.15 / $0.60 per million tokens.
        expect(r.cost_usd).toBeCloseTo((3 * 0.075 + 2 * 0.3) / 1e6, 12);
      }
      // The fine-tuning job of the test above: 1,234 trained tokens at gpt-4o-mini's $3 per million, charged once.
      const trained = await rowsOf("endpoint", "fine_tuning.jobs", 1);
      expect(trained).toHaveLength(1);
      expect(trained[0]).toMatchObject({ ingress: "openai-fine-tuning", model: "ft-base", key_id: String(keyAId), prompt_tokens: 1234 });
      expect(trained[0].cost_usd).toBeCloseTo((1234 * 3) / 1e6, 12);
      // Chat with the tuned model: OpenAI's fine-tuned gpt-4o-mini price ($0.30 / $1.20), not the base model's.
      expect(tunedModel).toBeDefined();
      const chats = await rowsOf("model", tunedModel as string, 2);
      const served = chats.filter((r) => r.status === 200);
      expect(served.length).toBeGreaterThanOrEqual(2);
      for (const r of served) expect(r.cost_usd).toBeCloseTo((3 * 0.3 + 2 * 1.2) / 1e6, 12);
      // The summaries read the same rows.
      const summary = await cluster.admin("GET", "/v1/db/usage/summary?group_by=model");
      const rows = summary.body.rows as { key: string; requests: number }[];
      expect(rows.find((r) => r.key === "ft-base")?.requests).toBeGreaterThanOrEqual(3);
    } finally {
      await closePool(pool);
    }
  });

  it("holds a native batch's estimated cost in the key's budget across replicas until the worker ends it", async () => {
    const c = await cluster.admin("POST", "/v1/db/keys", { name: "team-c", budget_usd: 0.004 });
    const keyC = c.body.key as string;
    const revision = Number(c.headers.get("x-router-revision"));
    await Promise.all(
      cluster.proxies.map((p) =>
        waitFor(async () => ((await (await fetch(`${p.url}/health`)).json()) as { revision: number }).revision >= revision, 10_000),
      ),
    );
    const c0 = sdk(0, keyC);
    // Three lines without max_tokens: up to 4,096 output tokens each at the batch price, about $0.0037.
    const file = await c0.files.create({ file: await toFile(Buffer.from(lines(3, "ft-base")), "held.jsonl"), purpose: "batch" });
    const create = (i: number) =>
      sdk(i, keyC).batches.create({ input_file_id: file.id, endpoint: "/v1/chat/completions", completion_window: "24h" });
    const first = await create(0);
    // The other replica sees the hold (in Redis): a second such batch does not fit the budget.
    await expect(create(1)).rejects.toMatchObject({ status: 429, code: "insufficient_quota" });
    expect((await untilFinal(c0, first.id)).status).toBe("completed");
    // The worker gave the hold back when the batch ended: it fits again.
    const again = await waitFor(() => create(1).catch(() => undefined), 10_000, 100);
    expect(again.status).toBe("validating");
  });
});
