import { type MockUpstream, startMockUpstream } from "@ai-router/testing";
import Anthropic from "@anthropic-ai/sdk";
import { Redis } from "ioredis";
import OpenAI, { toFile } from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAnthropicBatchMock } from "../../proxy/test/anthropic-batch-mock.js";
import { startTogetherMock } from "../../proxy/test/together-ft-mock.js";
import { chat, closePool, REDIS_URL, startTestCluster, type TestCluster, testPool, waitFor } from "./helpers.js";

/**
 * The offline features of the other providers in cluster mode: Anthropic's Message Batches (run by the
 * health worker through a replica, or passed through to Anthropic with the link in PostgreSQL) and a
 * Together fine-tuning job followed by the worker's one poller in Together's own API shape.
 */
let cluster: TestCluster;
let up: MockUpstream;
let anthropic: Awaited<ReturnType<typeof startAnthropicBatchMock>>;
let together: Awaited<ReturnType<typeof startTogetherMock>>;
let keyA: string;
let keyB: string;
/** The Message Batches of the first two tests (the delete test removes them). */
const madeIds: { run?: string; passed?: string } = {};

const claude = (i: number, key: string) => new Anthropic({ baseURL: cluster.proxies[i]!.url, apiKey: key, maxRetries: 0 });
const params = (model: string, text: string) => ({ model, max_tokens: 32, messages: [{ role: "user" as const, content: text }] });

async function untilEnded(c: Anthropic, id: string) {
  return waitFor(
    async () => {
      const b = await c.messages.batches.retrieve(id);
      return b.processing_status === "ended" ? b : undefined;
    },
    30_000,
    50,
  );
}

async function resultsOf(c: Anthropic, id: string) {
  const out = new Map<string, Anthropic.Messages.MessageBatchResult>();
  for await (const line of await c.messages.batches.results(id)) {
    expect(out.has(line.custom_id)).toBe(false);
    out.set(line.custom_id, line.result);
  }
  return out;
}

beforeAll(async () => {
  [up, anthropic, together] = await Promise.all([
    startMockUpstream(),
    startAnthropicBatchMock("sk-ant-up"),
    startTogetherMock("sk-together-up"),
  ]);
  cluster = await startTestCluster(
    "cp_offline_more",
    2,
    {},
    { worker: true, offline: { ROUTER_BATCH_CONCURRENCY: "4", ROUTER_OFFLINE_POLL_MS: "300", ROUTER_OFFLINE_LOCK_MS: "1500" } },
  );
  const { admin } = cluster;
  const providers = [
    { name: "chat-only", adapter: "openai-compatible", base_url: up.baseUrl, api_key: "sk-up-1111" },
    { name: "claude", adapter: "anthropic", base_url: anthropic.url, api_key: "sk-ant-up" },
    { name: "together", adapter: "together", base_url: together.baseUrl, api_key: "sk-together-up" },
  ];
  for (const p of providers) expect((await admin("POST", "/v1/db/providers", p)).status).toBe(200);
  await admin("POST", "/v1/db/models", { name: "gpt-4o", provider_id: 1, upstream_model: "mock-1" });
  await admin("POST", "/v1/db/models", { name: "claude-test", provider_id: 2, upstream_model: "claude-upstream-1" });
  await admin("POST", "/v1/db/models", { name: "llama-base", provider_id: 3, upstream_model: "meta-llama/Llama-3-8b" });
  keyA = (await admin("POST", "/v1/db/keys", { name: "team-a" })).body.key as string;
  const b = await admin("POST", "/v1/db/keys", { name: "team-b" });
  keyB = b.body.key as string;
  const revision = Number(b.headers.get("x-router-revision"));
  await Promise.all(
    cluster.proxies.map((p) =>
      waitFor(async () => {
        const h = (await (await fetch(`${p.url}/health`)).json()) as { revision: number };
        return h.revision >= revision && (await chat(p.url, "gpt-4o", keyA)) === 200;
      }, 10_000),
    ),
  );
}, 90_000);

afterAll(async () => {
  const bucket = cluster?.bucket;
  await cluster?.stop();
  await Promise.all([up?.close(), anthropic?.close(), together?.close()]);
  if (bucket) {
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys(`ai-router:${bucket}:*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  }
});

describe("Anthropic's Message Batches in cluster mode", () => {
  it("a Message Batch the router runs is run by the worker, read with its results on the other replica, the key's only", async () => {
    const made = await claude(0, keyA).messages.batches.create({
      requests: [
        { custom_id: "hello", params: params("gpt-4o", "hello") },
        { custom_id: "again", params: params("gpt-4o", "again") },
        { custom_id: "nope", params: params("no-such-model", "x") },
      ],
    });
    const a1 = claude(1, keyA);
    const ended = await untilEnded(a1, made.id);
    madeIds.run = made.id;
    expect(ended.request_counts).toEqual({ processing: 0, succeeded: 2, errored: 1, canceled: 0, expired: 0 });
    const results = await resultsOf(a1, made.id);
    expect([...results.keys()].sort()).toEqual(["again", "hello", "nope"]);
    const hello = results.get("hello");
    expect(hello?.type === "succeeded" && hello.message.content[0]).toEqual({ type: "text", text: "Echo: hello" });
    expect(results.get("nope")?.type).toBe("errored");
    // It is a batch like any other: the worker ran it, the control plane lists it.
    const listed = await cluster.admin("GET", "/v1/admin/batches");
    expect((listed.body.data as { id: string; endpoint: string }[]).find((x) => x.id === made.id)?.endpoint).toBe("/v1/messages");
    // Its lines are requests in the ledger, marked with the Message Batch.
    const pool = testPool(cluster.databaseUrl);
    try {
      const rows = await waitFor(
        async () => {
          const r = await pool.query("SELECT ingress, model, status FROM usage_records WHERE batch_id = $1", [made.id]);
          return r.rows.length >= 3 ? r.rows : undefined;
        },
        15_000,
        100,
      );
      expect(rows.filter((r) => r.status === 200).map((r) => [r.ingress, r.model])).toEqual(
        Array(2).fill(["anthropic-messages", "gpt-4o"]),
      );
    } finally {
      await closePool(pool);
    }
    for (const i of [0, 1]) {
      await expect(claude(i, keyB).messages.batches.retrieve(made.id)).rejects.toMatchObject({ status: 404 });
      expect((await claude(i, keyB).messages.batches.list()).data).toHaveLength(0);
    }
  });

  it("a batch passed through to Anthropic on one replica is read, listed and its results streamed on the other", async () => {
    const made = await claude(0, keyA).messages.batches.create({
      requests: [
        { custom_id: "c1", params: params("claude-test", "one") },
        { custom_id: "c2", params: params("claude-test", "two") },
      ],
    });
    expect(anthropic.batches.size).toBe(1);
    // The link is in PostgreSQL (not a replica's folder): any replica answers for it.
    const pool = testPool(cluster.databaseUrl);
    try {
      const rows = await pool.query("SELECT owner, state FROM router_message_batches WHERE id = $1", [made.id]);
      expect(rows.rows[0]?.state).toMatchObject({ provider: "claude", upstream_id: "msgbatch_up1" });
    } finally {
      await closePool(pool);
    }
    const a1 = claude(1, keyA);
    const ended = await untilEnded(a1, made.id);
    madeIds.passed = made.id;
    expect(ended.id).toBe(made.id);
    expect(ended.results_url).toBe(`${cluster.proxies[1]!.url}/v1/messages/batches/${made.id}/results`);
    const c1 = (await resultsOf(a1, made.id)).get("c1");
    expect(c1?.type === "succeeded" && c1.message.content[0]).toEqual({ type: "text", text: "batched by claude-upstream-1" });
    expect((await a1.messages.batches.list()).data.map((b) => b.id)).toContain(made.id);
    await expect(claude(1, keyB).messages.batches.retrieve(made.id)).rejects.toMatchObject({ status: 404 });
    // In the ledger once it ended: one record per request, however many replicas read it.
    await claude(0, keyA).messages.batches.retrieve(made.id);
    const pool2 = testPool(cluster.databaseUrl);
    try {
      const rows = await waitFor(
        async () => {
          const r = await pool2.query(
            "SELECT ingress, endpoint, model, prompt_tokens, completion_tokens FROM usage_records WHERE batch_id = $1 ORDER BY id",
            [made.id],
          );
          return r.rows.length >= 2 ? r.rows : undefined;
        },
        15_000,
        100,
      );
      await new Promise((r) => setTimeout(r, 500));
      expect((await pool2.query("SELECT count(*)::int AS n FROM usage_records WHERE batch_id = $1", [made.id])).rows[0].n).toBe(2);
      for (const r of rows)
        expect(r).toMatchObject({
          ingress: "anthropic-batch",
          endpoint: "messages",
          model: "claude-test",
          prompt_tokens: 3,
          completion_tokens: 2,
        });
    } finally {
      await closePool(pool2);
    }
  });

  it("deletes an ended batch of either kind on one replica: gone on every replica, in PostgreSQL and at Anthropic", async () => {
    const { run, passed } = madeIds;
    if (run === undefined || passed === undefined) throw new Error("the tests above made no batches");
    const upstream = "msgbatch_up1";
    expect(anthropic.batches.has(upstream)).toBe(true);
    for (const id of [run, passed]) {
      await expect(claude(0, keyB).messages.batches.delete(id)).rejects.toMatchObject({ status: 404 });
      expect(await claude(1, keyA).messages.batches.delete(id)).toEqual({ id, type: "message_batch_deleted" });
      for (const i of [0, 1]) await expect(claude(i, keyA).messages.batches.retrieve(id)).rejects.toMatchObject({ status: 404 });
    }
    expect(anthropic.batches.has(upstream)).toBe(false);
    const pool = testPool(cluster.databaseUrl);
    try {
      const left = await pool.query(
        `SELECT (SELECT count(*)::int FROM router_batches WHERE id = $1) AS batches,
                (SELECT count(*)::int FROM router_batch_results WHERE batch_id = $1) AS results,
                (SELECT count(*)::int FROM router_message_batches WHERE id = $2) AS links`,
        [run, passed],
      );
      expect(left.rows[0]).toEqual({ batches: 0, results: 0, links: 0 });
    } finally {
      await closePool(pool);
    }
  });
});

describe("Message Batches passed through, read by no client", () => {
  it("are charged by the worker's poll once Anthropic ended them", async () => {
    const made = await claude(1, keyA).messages.batches.create({ requests: [{ custom_id: "quiet", params: params("claude-test", "q") }] });
    const pool = testPool(cluster.databaseUrl);
    try {
      const rows = await waitFor(
        async () => {
          const r = await pool.query("SELECT id, ingress, prompt_tokens FROM usage_records WHERE batch_id = $1", [made.id]);
          return r.rows.length >= 1 ? r.rows : undefined;
        },
        15_000,
        100,
      );
      expect(rows).toEqual([{ id: `${made.id}.quiet`, ingress: "anthropic-batch", prompt_tokens: 3 }]);
      const link = await pool.query("SELECT state FROM router_message_batches WHERE id = $1", [made.id]);
      expect(link.rows[0]?.state.charged).toBe(true);
    } finally {
      await closePool(pool);
    }
  });
});

describe("fine-tuning at Together in cluster mode", () => {
  it("the worker's poller reads the job in Together's shape: its model becomes routable on every replica, unread by the client", async () => {
    const a0 = new OpenAI({ baseURL: `${cluster.proxies[0]!.url}/v1`, apiKey: keyA, maxRetries: 0 });
    const example = JSON.stringify({
      messages: [
        { role: "user", content: "hi" },
        { role: "assistant", content: "hello" },
      ],
    });
    const file = await a0.files.create({ file: await toFile(Buffer.from(`${example}\n`), "train.jsonl"), purpose: "fine-tune" });
    const job = await a0.fineTuning.jobs.create({ model: "llama-base", training_file: file.id, suffix: "acme" });
    expect(job.status).toBe("queued");
    // No client reads the job: the worker's poll moves it (pending -> running -> completed at Together).
    const tuned = await waitFor(
      async () => {
        const j = [...together.jobs.values()][0];
        return typeof j?.model_output_name === "string" ? j.model_output_name : undefined;
      },
      15_000,
      50,
    );
    for (const p of cluster.proxies) {
      await waitFor(async () => (await chat(p.url, tuned, keyA)) === 200, 10_000, 50);
      expect(await chat(p.url, tuned, keyB)).toBe(404);
    }
    expect(together.chatModels).toContain(tuned);
    const a1 = new OpenAI({ baseURL: `${cluster.proxies[1]!.url}/v1`, apiKey: keyA, maxRetries: 0 });
    expect(await a1.fineTuning.jobs.retrieve(job.id)).toMatchObject({ status: "succeeded", fine_tuned_model: tuned });
  });

  it("the console cancels a job and reads its events through the control plane (the worker's poll calls the provider)", async () => {
    const a0 = new OpenAI({ baseURL: `${cluster.proxies[0]!.url}/v1`, apiKey: keyA, maxRetries: 0 });
    const example = JSON.stringify({
      messages: [
        { role: "user", content: "hi" },
        { role: "assistant", content: "hello" },
      ],
    });
    const file = await a0.files.create({ file: await toFile(Buffer.from(`${example}\n`), "train.jsonl"), purpose: "fine-tune" });
    const job = await a0.fineTuning.jobs.create({ model: "llama-base", training_file: file.id, suffix: "stop" });
    const cancel = await cluster.admin("POST", `/v1/admin/fine_tuning/jobs/${job.id}/cancel`);
    expect(cancel.status).toBe(200);
    expect(cancel.body).toMatchObject({ id: job.id, owner: "team-a", cancel_requested: true });
    const there = [...together.jobs.values()].find((j) => j.suffix === "stop");
    await waitFor(() => there?.status === "cancelled", 15_000, 50);
    expect(together.seen.filter((r) => r.method === "POST" && r.path.endsWith("/cancel"))).toHaveLength(1);
    // The stored job follows, and its events (read by the worker) are the console's.
    await waitFor(
      async () => {
        const list = await cluster.admin("GET", "/v1/admin/fine_tuning/jobs");
        return (list.body.data as { id: string; status: string }[]).find((j) => j.id === job.id)?.status === "cancelled";
      },
      15_000,
      100,
    );
    const events = await cluster.admin("GET", `/v1/admin/fine_tuning/jobs/${job.id}/events`);
    expect(events.status).toBe(200);
    expect((events.body.data as { message: string }[]).map((e) => e.message)).toContain("Cancel requested");
    expect((await cluster.admin("POST", `/v1/admin/fine_tuning/jobs/${job.id}/cancel`)).status).toBe(409);
    expect((await cluster.admin("GET", "/v1/admin/fine_tuning/jobs/ftjob-nope/events")).status).toBe(404);
  });
});
