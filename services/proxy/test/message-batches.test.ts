import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type MockUpstream, startMockUpstream } from "@ai-router/testing";
import Anthropic from "@anthropic-ai/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RequestRecord } from "../src/record/request-record.js";
import { startAnthropicBatchMock } from "./anthropic-batch-mock.js";
import { type OfflineProxy, startOfflineProxy } from "./offline-setup.js";

/**
 * Anthropic's Message Batches through the router with @anthropic-ai/sdk: run by the router for an
 * OpenAI-served model (each request through the Anthropic ingress), passed through to Anthropic when it
 * serves every request's model; Anthropic's shapes either way, each batch the creating key's.
 */
const A = "sk-team-a-msgb-1111111111";
const B = "sk-team-b-msgb-2222222222";
const C = "sk-team-c-msgb-3333333333";
let up: MockUpstream;
let anthropic: Awaited<ReturnType<typeof startAnthropicBatchMock>>;
let proxy: OfflineProxy;
/** The offline usage records (batches passed through are charged here once they ended). */
const records: RequestRecord[] = [];
const client = (key: string) => new Anthropic({ baseURL: proxy.url, apiKey: key, maxRetries: 0 });

beforeAll(async () => {
  [up, anthropic] = await Promise.all([startMockUpstream(), startAnthropicBatchMock("sk-ant-up")]);
  proxy = await startOfflineProxy(
    {
      providers: [
        { name: "oai", type: "openai-compatible", base_url: up.baseUrl, api_key: "sk-oai" },
        { name: "claude", type: "anthropic", base_url: anthropic.url, api_key: "sk-ant-up" },
      ],
      models: [
        { name: "gpt-4o", providers: [{ provider: "oai", model: "gpt-4o-2024" }] },
        { name: "claude-test", providers: [{ provider: "claude", model: "claude-upstream-1" }] },
      ],
      keys: [
        { name: "team-a", key: A },
        { name: "team-b", key: B },
        { name: "team-c", key: C, budget_usd: 5 },
      ],
    },
    { concurrency: 4, usage: { sink: { write: (r) => records.push(r) }, replica: "test" } },
  );
});
afterAll(async () => {
  await proxy?.close();
  await up?.close();
  await anthropic?.close();
});

const params = (model: string, text: string) => ({ model, max_tokens: 32, messages: [{ role: "user" as const, content: text }] });

async function untilEnded(c: Anthropic, id: string) {
  for (let i = 0; i < 400; i++) {
    const b = await c.messages.batches.retrieve(id);
    if (b.processing_status === "ended") return b;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`batch ${id} never ended`);
}

async function resultsOf(c: Anthropic, id: string) {
  const out = new Map<string, Anthropic.Messages.MessageBatchResult>();
  for await (const line of await c.messages.batches.results(id)) {
    expect(out.has(line.custom_id)).toBe(false);
    out.set(line.custom_id, line.result);
  }
  return out;
}

describe("run by the router (no Anthropic batch API behind the model)", () => {
  it("runs each request through the Anthropic ingress; results are Anthropic's JSONL, a bad model errored", async () => {
    const a = client(A);
    const made = await a.messages.batches.create({
      requests: [
        { custom_id: "hello", params: params("gpt-4o", "hello") },
        { custom_id: "second", params: params("gpt-4o", "again") },
        { custom_id: "nope", params: params("no-such-model", "x") },
      ],
    });
    expect(made).toMatchObject({ type: "message_batch", processing_status: "in_progress", results_url: null });
    expect(made.id).toMatch(/^msgbatch_/);
    expect(made.request_counts.processing).toBe(3);
    const ended = await untilEnded(a, made.id);
    expect(ended.request_counts).toEqual({ processing: 0, succeeded: 2, errored: 1, canceled: 0, expired: 0 });
    expect(ended.results_url).toBe(`${proxy.url}/v1/messages/batches/${made.id}/results`);
    expect(Date.parse(ended.ended_at as string)).toBeGreaterThan(0);

    const results = await resultsOf(a, made.id);
    const hello = results.get("hello");
    expect(hello?.type).toBe("succeeded");
    if (hello?.type === "succeeded") {
      expect(hello.message.type).toBe("message");
      expect(hello.message.content[0]).toEqual({ type: "text", text: "Echo: hello" });
    }
    const nope = results.get("nope");
    expect(nope?.type).toBe("errored");
    if (nope?.type === "errored") expect(nope.error.error.type).toBe("not_found_error");
    // The upstream got OpenAI chat requests, translated by the ingress.
    expect(up.requests.filter((r) => r.path.endsWith("/chat/completions")).length).toBeGreaterThanOrEqual(2);

    expect((await a.messages.batches.list()).data.map((b) => b.id)).toContain(made.id);
    // Another key: no such batch, nothing listed.
    const b = client(B);
    await expect(b.messages.batches.retrieve(made.id)).rejects.toMatchObject({ status: 404 });
    expect((await b.messages.batches.list()).data).toHaveLength(0);
  });

  it("cancels: requests not sent are canceled in the results, each custom_id once", async () => {
    const a = client(A);
    up.behavior.fallback = { delayMs: 150 };
    try {
      const requests = Array.from({ length: 30 }, (_, i) => ({ custom_id: `r-${i}`, params: params("gpt-4o", `line ${i}`) }));
      const made = await a.messages.batches.create({ requests });
      const c = await a.messages.batches.cancel(made.id);
      expect(c.processing_status).toBe("canceling");
      expect(c.cancel_initiated_at).not.toBeNull();
      const ended = await untilEnded(a, made.id);
      const counts = ended.request_counts;
      expect(counts.canceled).toBeGreaterThan(0);
      expect(counts.succeeded + counts.errored + counts.canceled).toBe(30);
      const results = await resultsOf(a, made.id);
      expect([...results.keys()].sort()).toEqual(requests.map((r) => r.custom_id).sort());
      expect([...results.values()].filter((r) => r.type === "canceled")).toHaveLength(counts.canceled);
    } finally {
      up.behavior.reset();
    }
  });

  it("answers a bad body in Anthropic's envelope (duplicate custom_id, no model), results before the end a 400", async () => {
    const res = await fetch(`${proxy.url}/v1/messages/batches`, {
      method: "POST",
      headers: { "x-api-key": A, "content-type": "application/json", "anthropic-version": "2023-06-01" },
      body: JSON.stringify({
        requests: [
          { custom_id: "x", params: params("gpt-4o", "a") },
          { custom_id: "x", params: params("gpt-4o", "b") },
        ],
      }),
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { type: string; error: { type: string; message: string } };
    expect(body.type).toBe("error");
    expect(body.error.type).toBe("invalid_request_error");
    expect(body.error.message).toContain("duplicate custom_id");
    await expect(
      client(A).messages.batches.create({ requests: [{ custom_id: "m", params: { max_tokens: 1, messages: [] } as never }] }),
    ).rejects.toMatchObject({ status: 400 });

    up.behavior.fallback = { delayMs: 300 };
    try {
      const made = await client(A).messages.batches.create({ requests: [{ custom_id: "slow", params: params("gpt-4o", "slow") }] });
      const early = await fetch(`${proxy.url}/v1/messages/batches/${made.id}/results`, { headers: { "x-api-key": A } });
      expect(early.status).toBe(400);
      await untilEnded(client(A), made.id);
    } finally {
      up.behavior.reset();
    }
  });
});

describe("passed through to Anthropic (it serves every request's model)", () => {
  it("creates the batch there with the provider's model names, reads and streams its results under the router's id", async () => {
    const a = client(A);
    const made = await a.messages.batches.create({
      requests: [
        { custom_id: "c1", params: params("claude-test", "one") },
        { custom_id: "c2", params: params("claude-test", "two") },
      ],
    });
    expect(made.id).toMatch(/^msgbatch_/);
    expect(made.id).not.toMatch(/_up\d/);
    const create = anthropic.seen.find((r) => r.method === "POST" && r.path === "/v1/messages/batches");
    expect(create?.headers["x-api-key"]).toBe("sk-ant-up");
    expect((JSON.parse(create?.text ?? "{}") as { requests: { params: { model: string } }[] }).requests.map((r) => r.params.model)).toEqual(
      ["claude-upstream-1", "claude-upstream-1"],
    );
    const ended = await untilEnded(a, made.id);
    expect(ended.id).toBe(made.id);
    expect(ended.request_counts.succeeded).toBe(2);
    expect(ended.results_url).toBe(`${proxy.url}/v1/messages/batches/${made.id}/results`);
    const results = await resultsOf(a, made.id);
    const c1 = results.get("c1");
    expect(c1?.type === "succeeded" && c1.message.content[0]).toEqual({ type: "text", text: "batched by claude-upstream-1" });
    expect((await a.messages.batches.list()).data.map((b) => b.id)).toContain(made.id);
    await expect(client(B).messages.batches.retrieve(made.id)).rejects.toMatchObject({ status: 404 });
    // Charged once, when first seen ended: one record per request with Anthropic's usage, however often it is read.
    await a.messages.batches.retrieve(made.id);
    const charged = records.filter((r) => r.batchId === made.id);
    expect(charged.map((r) => r.recordId).sort()).toEqual([`${made.id}.c1`, `${made.id}.c2`]);
    for (const r of charged) {
      expect(r).toMatchObject({ ingress: "anthropic-batch", model: "claude-test", key: "team-a", provider: "claude" });
      expect(r.usage).toMatchObject({ prompt_tokens: 3, completion_tokens: 2 });
    }
  });
});

describe("a key with a budget", () => {
  it("has its batch run by the router even when Anthropic serves every model (a batch there is not charged)", async () => {
    const c = client(C);
    const atAnthropic = anthropic.batches.size;
    const made = await c.messages.batches.create({
      requests: [
        { custom_id: "b1", params: params("claude-test", "one") },
        { custom_id: "b2", params: params("claude-test", "two") },
      ],
    });
    const ended = await untilEnded(c, made.id);
    expect(anthropic.batches.size).toBe(atAnthropic);
    // Each request went to the provider as a request of its own, through the router's pipeline.
    expect(anthropic.seen.filter((r) => r.method === "POST" && r.path === "/v1/messages").length).toBeGreaterThanOrEqual(2);
    expect(ended.request_counts.succeeded + ended.request_counts.errored).toBe(2);
    expect([...(await resultsOf(c, made.id)).keys()].sort()).toEqual(["b1", "b2"]);
  });
});

describe("durable: a restart of the proxy resumes the batch", () => {
  it("every custom_id once across the run before and after the restart", async () => {
    const dir = mkdtempSync(join(tmpdir(), "router-msgbatch-"));
    const config = {
      providers: [{ name: "oai", type: "openai-compatible", base_url: up.baseUrl, api_key: "sk-oai" }],
      models: [{ name: "gpt-4o", providers: [{ provider: "oai", model: "gpt-4o-2024" }] }],
      keys: [{ name: "team-a", key: A }],
    };
    up.behavior.fallback = { delayMs: 60 };
    let first: OfflineProxy | undefined = await startOfflineProxy(config, { dir, concurrency: 2 });
    let second: OfflineProxy | undefined;
    try {
      const requests = Array.from({ length: 24 }, (_, i) => ({ custom_id: `d-${i}`, params: params("gpt-4o", `line ${i}`) }));
      const chats = () => up.requests.filter((r) => r.path.endsWith("/chat/completions")).length;
      const before = chats();
      const made = await new Anthropic({ baseURL: first.url, apiKey: A, maxRetries: 0 }).messages.batches.create({ requests });
      await new Promise((r) => setTimeout(r, 200));
      await first.close();
      first = undefined;
      // Stopped halfway: some requests were sent, not all.
      const sentBefore = chats() - before;
      second = await startOfflineProxy(config, { dir, concurrency: 4 });
      const c = new Anthropic({ baseURL: second.url, apiKey: A, maxRetries: 0 });
      const ended = await untilEnded(c, made.id);
      expect(ended.request_counts).toMatchObject({ succeeded: 24, errored: 0, canceled: 0, processing: 0 });
      const results = await resultsOf(c, made.id);
      expect([...results.keys()].sort()).toEqual(requests.map((r) => r.custom_id).sort());
      expect(sentBefore).toBeGreaterThan(0);
      expect(sentBefore).toBeLessThan(24);
    } finally {
      up.behavior.reset();
      await first?.close();
      await second?.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
