import { type MockUpstream, sendAnthropicError, sendOpenAIError, startMockUpstream, waitFor } from "@ai-router/testing";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { RequestFinished } from "../src/pipeline/request-finished.js";
import { startTestProxy, type TestProxy } from "./harness.js";

/**
 * A stream that fails in-band after its first bytes reached the client (Anthropic's `overloaded_error`
 * after some text, an OpenAI-style `{"error":...}` event) is forwarded as it is, but the attempt is a
 * failure: the breaker counts it, `/v1/stats` counts a failure and the request record says `broken`.
 */
let up: MockUpstream;
let proxy: TestProxy;
const records: RequestFinished[] = [];

const sse = (event: string | null, data: object) => `${event ? `event: ${event}\n` : ""}data: ${JSON.stringify(data)}\n\n`;
const openAIChunk = (delta: object) =>
  sse(null, { id: "c1", object: "chat.completion.chunk", created: 1, model: "m", choices: [{ index: 0, delta, finish_reason: null }] });

beforeAll(async () => {
  up = await startMockUpstream({
    routes: [
      {
        method: "POST",
        suffix: "/chat/completions",
        sendError: sendOpenAIError,
        handle: (ctx) =>
          ctx.writeStream([
            openAIChunk({ role: "assistant", content: "" }),
            openAIChunk({ content: "Hello, wor" }),
            sse(null, { error: { message: "The server had an error while processing your request.", type: "server_error", code: null } }),
          ]),
      },
      {
        method: "POST",
        suffix: "/v1/messages",
        sendError: sendAnthropicError,
        handle: (ctx) =>
          ctx.writeStream([
            sse("message_start", {
              type: "message_start",
              message: {
                id: "msg_1",
                type: "message",
                role: "assistant",
                model: "c",
                content: [],
                stop_reason: null,
                usage: { input_tokens: 5, output_tokens: 1 },
              },
            }),
            sse("content_block_start", { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } }),
            sse("content_block_delta", { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "Hello, wor" } }),
            sse("error", { type: "error", error: { type: "overloaded_error", message: "Overloaded" } }),
          ]),
      },
    ],
  });
  proxy = await startTestProxy({
    server: { failure_threshold: 1, cooldown_ms: 60_000 },
    providers: [
      { name: "oai", type: "openai-compatible", base_url: up.baseUrl, api_key: "sk-oai", timeout_ms: 2000 },
      { name: "claude", type: "anthropic", base_url: up.url, api_key: "sk-ant-up", timeout_ms: 2000 },
    ],
    models: [
      { name: "gpt-test", providers: [{ provider: "oai", model: "m" }] },
      { name: "claude-test", providers: [{ provider: "claude", model: "c" }] },
    ],
  });
  proxy.proxy.usage.onFinished((r) => records.push(r));
});
afterAll(async () => {
  await proxy.close();
  await up.close();
});
beforeEach(() => {
  records.length = 0;
  // Each chunk on its own: the error comes after the first bytes were relayed to the client.
  up.behavior.fallback = { chunkDelayMs: 50 };
});

const post = (path: string, model: string) =>
  fetch(`${proxy.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ model, max_tokens: 10, stream: true, messages: [{ role: "user", content: "x" }] }),
  });

describe("an in-band error after the first byte is a failed attempt", () => {
  it.each([
    ["/v1/chat/completions", "gpt-test", "oai", /server had an error/],
    ["/v1/messages", "claude-test", "claude", /Overloaded/],
    ["/v1/chat/completions", "claude-test", "claude", /Overloaded/],
  ])("%s on %s: forwarded, then counted as a failure by the breaker, the stats and the record", async (path, model, provider, message) => {
    const before =
      ((await (await fetch(`${proxy.url}/v1/stats`)).json()) as { stats: { failure_counters: Record<string, number> } }).stats
        .failure_counters[model] ?? 0;
    const r = await post(path, model);
    expect(r.status).toBe(200); // the answer had started
    const text = await r.text();
    expect(text).toContain("Hello, wor");
    expect(text).toMatch(message);
    await waitFor(() => records.length === 1, 5_000);
    expect(records[0]).toMatchObject({ outcome: "broken", status: 200, error: expect.stringMatching(message) });
    expect(records[0]!.attempts.map((a) => a.outcome)).toEqual(["broken"]);
    const stats = (await (await fetch(`${proxy.url}/v1/stats`)).json()) as { stats: { failure_counters: Record<string, number> } };
    expect(stats.stats.failure_counters[model]).toBe(before + 1);
    const lb = (await (await fetch(`${proxy.url}/v1/load-balancing/statistics`)).json()) as {
      models: { model: string; candidates: { provider: string; breaker: string; failures: number }[] }[];
    };
    const c = lb.models.find((m) => m.model === model)!.candidates[0]!;
    expect(c).toMatchObject({ provider, breaker: "open" });
    expect(c.failures).toBeGreaterThanOrEqual(1);
  });
});

describe("an in-band error that arrives with the first bytes", () => {
  it.each([
    ["/v1/chat/completions", "gpt-test"],
    ["/v1/messages", "claude-test"],
  ])("%s on %s: nothing reached the client yet, so the client gets the error (no half answer)", async (path, model) => {
    // The whole stream in one write: the router reads the content and the error together, before it
    // has sent anything, and treats the attempt as failed before output (failover, or the error).
    up.behavior.fallback = {};
    const r = await post(path, model);
    const text = await r.text();
    expect(r.status).toBeGreaterThanOrEqual(500);
    expect(text).not.toContain("Hello, wor");
    expect(JSON.parse(text)).toMatchObject({ error: expect.any(Object) });
    await waitFor(() => records.length === 1, 5_000);
    expect(records[0]).toMatchObject({ outcome: "failed", status: r.status });
  });
});
