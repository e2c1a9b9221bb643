import { type MockUpstream, startMockUpstream } from "@ai-router/testing";
import { toFile } from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RequestRecord } from "../src/record/request-record.js";
import { openAIConfig } from "./harness.js";
import { chatLines, type OfflineProxy, startOfflineProxy, untilFinal } from "./offline-setup.js";

const A = "sk-team-a-live-1111111111";
let up: MockUpstream;
let proxy: OfflineProxy;
const records: RequestRecord[] = [];

beforeAll(async () => {
  up = await startMockUpstream();
  // Threshold 0: a batch line waits while any live request is in flight.
  proxy = await startOfflineProxy(openAIConfig([up.baseUrl], { keys: [{ name: "team-a", key: A }] }), { pace: { liveThreshold: 0 } });
  proxy.proxy.onRequestFinished((r) => {
    records.push(r);
  });
});
afterAll(async () => {
  await proxy?.close();
  await up?.close();
});

/** Resolves once the upstream has seen `n` chat requests. */
const upstreamSaw = (n: number) =>
  new Promise<void>((resolve) => {
    const check = () => (up.received("/chat/completions").length >= n ? resolve() : setImmediate(check));
    check();
  });

describe("batch lines run below live traffic", () => {
  it("waits while live requests are in flight above the threshold, then runs", async () => {
    const a = proxy.sdk(A);
    const file = await a.files.create({ file: await toFile(Buffer.from(chatLines(5)), "in.jsonl"), purpose: "batch" });
    up.behavior.next({ delayMs: 300 });
    const live = a.chat.completions.create({ model: "gpt-4o", messages: [{ role: "user", content: "live" }] });
    await upstreamSaw(1);
    const made = await a.batches.create({ input_file_id: file.id, endpoint: "/v1/chat/completions", completion_window: "24h" });
    await live;
    const done = await untilFinal(a, made.id);
    expect(done.request_counts).toEqual({ total: 5, completed: 5, failed: 0 });
    const liveRec = records.find((r) => r.batchId === null && r.status === 200) as RequestRecord;
    const liveEnd = Date.parse(liveRec.time) + liveRec.latencyMs;
    const firstLine = Math.min(...records.filter((r) => r.batchId === made.id).map((r) => Date.parse(r.time)));
    // No line arrived at the front door before the live request had ended (1 ms: the ISO times' resolution).
    expect(firstLine).toBeGreaterThanOrEqual(liveEnd - 1);
  });
});
