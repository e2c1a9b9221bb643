import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLogger } from "@ai-router/logger";
import Anthropic from "@anthropic-ai/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LocalNativeMessageBatches } from "../src/batches/message-batch-native.js";
import { MessageBatchPoll } from "../src/batches/message-batch-poll.js";
import type { RequestRecord } from "../src/record/request-record.js";
import { startAnthropicBatchMock } from "./anthropic-batch-mock.js";
import { type OfflineProxy, startOfflineProxy } from "./offline-setup.js";

/**
 * Standalone: a Message Batch passed through to Anthropic that no client reads after it ended is
 * charged by the proxy's own poll (the mock ends a batch at its second read; only the poll reads it).
 */
const A = "sk-team-a-msgpoll-1111111111";
let anthropic: Awaited<ReturnType<typeof startAnthropicBatchMock>>;
let proxy: OfflineProxy;
const records: RequestRecord[] = [];
/** Resolved when the records of a batch arrived (`n` of them): the charge is an event, not a timeout. */
const waiting = new Map<string, { n: number; resolve: () => void }>();
const sink = {
  write(r: RequestRecord) {
    records.push(r);
    const w = r.batchId === null ? undefined : waiting.get(r.batchId);
    if (w && records.filter((x) => x.batchId === r.batchId).length >= w.n) w.resolve();
  },
};
const chargedFor = (id: string, n: number) => new Promise<void>((resolve) => waiting.set(id, { n, resolve }));
const params = (text: string) => ({ model: "claude-test", max_tokens: 32, messages: [{ role: "user" as const, content: text }] });

beforeAll(async () => {
  anthropic = await startAnthropicBatchMock("sk-ant-up");
  proxy = await startOfflineProxy(
    {
      providers: [{ name: "claude", type: "anthropic", base_url: anthropic.url, api_key: "sk-ant-up" }],
      models: [{ name: "claude-test", providers: [{ provider: "claude", model: "claude-upstream-1" }] }],
      keys: [{ name: "team-a", key: A }],
    },
    { usage: { sink, replica: "test" }, messageBatchPollMs: { min: 30, max: 240 } },
  );
});
afterAll(async () => {
  await proxy?.close();
  await anthropic?.close();
});

describe("the standalone poll of Message Batches passed through", () => {
  it("charges a batch that ended with no client reading it, once", async () => {
    const made = await new Anthropic({ baseURL: proxy.url, apiKey: A, maxRetries: 0 }).messages.batches.create({
      requests: [
        { custom_id: "q1", params: params("one") },
        { custom_id: "q2", params: params("two") },
      ],
    });
    await chargedFor(made.id, 2);
    const charged = records.filter((r) => r.batchId === made.id);
    expect(charged.map((r) => r.recordId).sort()).toEqual([`${made.id}.q1`, `${made.id}.q2`]);
    for (const r of charged)
      expect(r).toMatchObject({ ingress: "anthropic-batch", model: "claude-test", key: "team-a", provider: "claude" });
    // Only the poll read it at Anthropic: two reads (in progress, then ended) and its results once.
    const upstreamId = [...anthropic.batches.keys()].at(-1) as string;
    const reads = anthropic.seen.filter((r) => r.method === "GET" && r.path.startsWith(`/v1/messages/batches/${upstreamId}`));
    expect(reads.map((r) => r.path)).toEqual([
      `/v1/messages/batches/${upstreamId}`,
      `/v1/messages/batches/${upstreamId}`,
      `/v1/messages/batches/${upstreamId}/results`,
    ]);
  });

  it("waits longer after each pass that charged nothing, up to its bound, and stops when none is open", async () => {
    const dir = mkdtempSync(join(tmpdir(), "router-msgpoll-"));
    const links = new LocalNativeMessageBatches(dir);
    const logger = createLogger({ name: "poll-test", level: "silent", sync: true });
    const poll = new MessageBatchPoll({
      links,
      table: () => proxy.store.current,
      usage: { sink, replica: "test" },
      logger,
      minMs: 20,
      maxMs: 50,
    });
    try {
      // Nothing open: a pass plans no other.
      await poll.poll();
      expect(poll.next.scheduled).toBe(false);
      const there = await fetch(`${anthropic.url}/v1/messages/batches`, {
        method: "POST",
        headers: { "x-api-key": "sk-ant-up", "anthropic-version": "2023-06-01", "content-type": "application/json" },
        body: JSON.stringify({ requests: [{ custom_id: "late", params: { model: "claude-upstream-1", max_tokens: 8, messages: [] } }] }),
      });
      const upstream = ((await there.json()) as { id: string }).id;
      const id = "msgbatch_polltest1";
      await links.save({
        id,
        owner: "team-a",
        provider: "claude",
        upstream_id: upstream,
        created_ms: Date.now(),
        models: { "claude-upstream-1": "claude-test" },
        charged: false,
      });
      // First pass: still processing at Anthropic, so the next wait doubles (20 -> 40; never past 50).
      await poll.poll();
      expect(poll.next).toEqual({ scheduled: true, waitMs: 40 });
      const done = chargedFor(id, 1);
      await done;
      await poll.settled();
      expect((await links.get(id))?.charged).toBe(true);
      expect(poll.next.scheduled).toBe(false);
    } finally {
      await poll.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
