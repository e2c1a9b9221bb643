import { type MockUpstream, startMockUpstream } from "@ai-router/testing";
import Anthropic from "@anthropic-ai/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RequestRecord } from "../src/record/request-record.js";
import { startAnthropicBatchMock } from "./anthropic-batch-mock.js";
import { type OfflineProxy, startOfflineProxy } from "./offline-setup.js";

/**
 * `DELETE /v1/messages/batches/{id}` with @anthropic-ai/sdk: only an ended batch, the key's own, is
 * deleted (`message_batch_deleted`); one still processing is Anthropic's 400 `invalid_request_error`.
 * A batch the router runs goes with its files; one passed through is charged, then deleted at Anthropic.
 */
const A = "sk-team-a-msgdel-1111111111";
const B = "sk-team-b-msgdel-2222222222";
let up: MockUpstream;
let anthropic: Awaited<ReturnType<typeof startAnthropicBatchMock>>;
let proxy: OfflineProxy;
const records: RequestRecord[] = [];
const client = (key: string) => new Anthropic({ baseURL: proxy.url, apiKey: key, maxRetries: 0 });
const params = (model: string, text: string) => ({ model, max_tokens: 32, messages: [{ role: "user" as const, content: text }] });

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

async function untilEnded(c: Anthropic, id: string) {
  for (let i = 0; i < 400; i++) {
    const b = await c.messages.batches.retrieve(id);
    if (b.processing_status === "ended") return b;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`batch ${id} never ended`);
}

/** The raw answer to a DELETE (the wire format, not the SDK's reading of it). */
async function del(id: string, key = A) {
  const r = await fetch(`${proxy.url}/v1/messages/batches/${id}`, {
    method: "DELETE",
    headers: { "x-api-key": key, "anthropic-version": "2023-06-01" },
  });
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
}

describe("a batch the router runs", () => {
  it("is a 400 while processing, a 404 for another key, deleted with its files once ended", async () => {
    const a = client(A);
    up.behavior.fallback = { delayMs: 300 };
    let id: string;
    try {
      const made = await a.messages.batches.create({ requests: [{ custom_id: "one", params: params("gpt-4o", "hello") }] });
      id = made.id;
      const early = await del(id);
      expect(early.status).toBe(400);
      expect(early.body).toMatchObject({ type: "error", error: { type: "invalid_request_error" } });
      expect(String((early.body.error as { message: string }).message)).toContain("cancel it first");
      await expect(a.messages.batches.delete(id)).rejects.toMatchObject({ status: 400 });
      await untilEnded(a, id);
    } finally {
      up.behavior.reset();
    }
    const filesBefore = await listFiles(A);
    expect(filesBefore.length).toBeGreaterThanOrEqual(2);
    await expect(client(B).messages.batches.delete(id)).rejects.toMatchObject({ status: 404 });
    expect(await a.messages.batches.delete(id)).toEqual({ id, type: "message_batch_deleted" });
    await expect(a.messages.batches.retrieve(id)).rejects.toMatchObject({ status: 404 });
    await expect(a.messages.batches.delete(id)).rejects.toMatchObject({ status: 404 });
    expect((await a.messages.batches.list()).data.map((b) => b.id)).not.toContain(id);
    // Its request and result files went with it.
    expect(await listFiles(A)).toEqual([]);
  });
});

describe("a batch passed through to Anthropic", () => {
  it("is a 400 while Anthropic still processes it; once ended it is charged, deleted there and gone here", async () => {
    const a = client(A);
    const made = await a.messages.batches.create({
      requests: [
        { custom_id: "p1", params: params("claude-test", "one") },
        { custom_id: "p2", params: params("claude-test", "two") },
      ],
    });
    const upstreamId = [...anthropic.batches.keys()].at(-1) as string;
    await expect(client(B).messages.batches.delete(made.id)).rejects.toMatchObject({ status: 404 });
    // The mock ends a batch at its second read: the first delete reads it processing.
    const early = await del(made.id);
    expect(early.status).toBe(400);
    expect(early.body).toMatchObject({ type: "error", error: { type: "invalid_request_error" } });
    expect(anthropic.batches.has(upstreamId)).toBe(true);
    // No client read it ended: the delete charges it before its results go.
    expect(records.filter((r) => r.batchId === made.id)).toHaveLength(0);
    expect(await a.messages.batches.delete(made.id)).toEqual({ id: made.id, type: "message_batch_deleted" });
    expect(anthropic.batches.has(upstreamId)).toBe(false);
    expect(anthropic.seen.filter((r) => r.method === "DELETE").map((r) => r.path)).toContain(`/v1/messages/batches/${upstreamId}`);
    expect(
      records
        .filter((r) => r.batchId === made.id)
        .map((r) => r.recordId)
        .sort(),
    ).toEqual([`${made.id}.p1`, `${made.id}.p2`]);
    await expect(a.messages.batches.retrieve(made.id)).rejects.toMatchObject({ status: 404 });
    expect((await a.messages.batches.list()).data.map((b) => b.id)).not.toContain(made.id);
  });
});

async function listFiles(key: string): Promise<string[]> {
  const r = await fetch(`${proxy.url}/v1/files`, { headers: { authorization: `Bearer ${key}` } });
  return ((await r.json()) as { data: { id: string }[] }).data.map((f) => f.id);
}
