import { type MockUpstream, startMockUpstream } from "@ai-router/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { RequestRecord } from "../src/record/request-record.js";
import { startTestProxy, type TestProxy } from "./harness.js";

// 1,000 streams through a target that cuts 20% of them at a random point (seeded), continued on an
// Anthropic or a DeepSeek-preset target: every client must get its answer byte for byte.
const STREAMS = 1000;
const CONCURRENCY = 100;

let cut: MockUpstream;
let claude: MockUpstream;
let deepseek: MockUpstream;
let proxy: TestProxy;
const finished: RequestRecord[] = [];

beforeAll(async () => {
  [cut, claude, deepseek] = await Promise.all([0, 1, 2].map(() => startMockUpstream({ record: false })));
  const providers = [
    { name: "cut", type: "openai-compatible", base_url: cut.baseUrl, api_key: "sk-cut", timeout_ms: 5000, max_connections: 200 },
    { name: "claude", type: "anthropic", base_url: claude.url, api_key: "sk-ant", timeout_ms: 5000, max_connections: 200 },
    { name: "ds", type: "deepseek", base_url: deepseek.baseUrl, api_key: "sk-ds", timeout_ms: 5000, max_connections: 200 },
  ];
  const model = (name: string, second: string) => ({
    name,
    strategy: "fallback",
    stream_continuation: true,
    providers: [
      { provider: "cut", model: `first-${name}` },
      { provider: second, model: "second" },
    ],
  });
  proxy = await startTestProxy({
    server: { failure_threshold: 1000, cooldown_ms: 0 },
    providers,
    models: [model("soak-claude", "claude"), model("soak-ds", "ds")],
  });
  proxy.proxy.onRequestFinished((r) => finished.push(r));
});

afterAll(async () => {
  await proxy.close();
  await Promise.all([cut.close(), claude.close(), deepseek.close()]);
});

/** A small seeded generator: the same cuts every run. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** The client side: the chat stream's text, and whether it ended normally. */
async function stream(model: string, ask: string): Promise<{ text: string; finish: string | null; done: boolean }> {
  const r = await fetch(`${proxy.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ model, stream: true, messages: [{ role: "user", content: ask }] }),
  });
  let text = "";
  let finish: string | null = null;
  let done = false;
  for (const ev of (await r.text()).split("\n\n")) {
    if (ev === "data: [DONE]") done = true;
    if (!ev.startsWith("data: {")) continue;
    const c = JSON.parse(ev.slice(6)) as { choices?: { delta?: { content?: string }; finish_reason?: string | null }[] };
    text += c.choices?.[0]?.delta?.content ?? "";
    finish = c.choices?.[0]?.finish_reason ?? finish;
  }
  return { text, finish, done };
}

it(`${STREAMS} streams, 20% cut at random points: every client gets the full text`, { timeout: 60_000 }, async () => {
  const random = rng(25);
  // The answer is "Echo: " and the question, 8 characters an event: ~14 events with the role and the end.
  const asks = Array.from(
    { length: STREAMS },
    (_, i) => `stream ${i}: ${"the quick brown fox jumps over the lazy dog ".slice(0, 20 + (i % 40))}end`,
  );
  for (let i = 0; i < STREAMS; i++) cut.behavior.next(random() < 0.2 ? { cutAfterChunks: 1 + Math.floor(random() * 12) } : {});
  const failures: string[] = [];
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < STREAMS; i = next++) {
      const ask = asks[i] as string;
      const got = await stream(i % 2 === 0 ? "soak-claude" : "soak-ds", ask);
      if (got.text !== `Echo: ${ask}` || got.finish !== "stop" || !got.done) failures.push(`${i}: ${JSON.stringify(got)}`);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  expect(failures.slice(0, 5)).toEqual([]);
  await expect.poll(() => finished.length).toBe(STREAMS);
  const continued = finished.filter((r) => r.attempts[0]?.outcome === "broken" && r.attempts.at(-1)?.outcome === "served");
  // Cuts after the role chunk alone are plain failovers (nothing reached the client); the rest are continued.
  expect(continued.length).toBeGreaterThan(STREAMS * 0.12);
  expect(finished.every((r) => r.outcome === "served")).toBe(true);
});
