import { type MockUpstream, sendAnthropicError, startMockUpstream } from "@ai-router/testing";
import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, expect } from "vitest";
import type { RequestRecord } from "../src/record/request-record.js";
import { startTestProxy, type TestProxy } from "./harness.js";

// The answer the mocks give: "Echo: " and the user's words, streamed 8 characters an event. Cut after 5
// events (the role chunk and 4 pieces), the client has "Echo: abcdefghijklmnopqrstuvwxy " (ending in a
// space, which Anthropic's prefill cannot carry: the seam must neither lose nor repeat it).
export const ASK = "abcdefghijklmnopqrstuvwxy and then the rest of the answer goes on to the very end.";
export const FULL = `Echo: ${ASK}`;

/** The upstreams, the proxy and the requests' records of the calling test file. */
export const w = {} as {
  cut: MockUpstream;
  claude: MockUpstream;
  deepseek: MockUpstream;
  plain: MockUpstream;
  /** An Anthropic upstream that says `overloaded_error` in-band after the first 32 characters. */
  overloaded: MockUpstream;
  proxy: TestProxy;
  finished: RequestRecord[];
};

// The cutting target's passive health suffers from every cut: the tests that need it first have their own.
export const model = (name: string, second: string, on = true, first = "cut") => ({
  name,
  strategy: "fallback",
  stream_continuation: on,
  providers: [
    { provider: first, model: "first-model" },
    { provider: second, model: "second-model" },
  ],
});

/** Starts the upstreams and the proxy for the calling test file; resets the mocks between tests. */
export function useContinuationWorld(): void {
  beforeAll(async () => {
    w.finished = [];
    [w.cut, w.claude, w.deepseek, w.plain] = await Promise.all([
      startMockUpstream(),
      startMockUpstream(),
      startMockUpstream(),
      startMockUpstream(),
    ]);
    const ev = (type: string, data: object) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
    w.overloaded = await startMockUpstream({
      routes: [
        {
          method: "POST",
          suffix: "/v1/messages",
          sendError: sendAnthropicError,
          handle: (ctx) =>
            ctx.writeStream([
              ev("message_start", {
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
              ev("content_block_start", { index: 0, content_block: { type: "text", text: "" } }),
              ev("content_block_delta", { index: 0, delta: { type: "text_delta", text: FULL.slice(0, 32) } }),
              ev("error", { error: { type: "overloaded_error", message: "Overloaded" } }),
            ]),
        },
      ],
    });
    w.proxy = await startTestProxy({
      // Every test cuts the same first target: its breaker must not take it out of the order.
      server: { failure_threshold: 1000, cooldown_ms: 0 },
      providers: [
        { name: "cut", type: "openai-compatible", base_url: w.cut.baseUrl, api_key: "sk-cut", timeout_ms: 2000 },
        { name: "cut2", type: "openai-compatible", base_url: w.cut.baseUrl, api_key: "sk-cut", timeout_ms: 2000 },
        { name: "cut3", type: "openai-compatible", base_url: w.cut.baseUrl, api_key: "sk-cut", timeout_ms: 2000 },
        { name: "cut4", type: "openai-compatible", base_url: w.cut.baseUrl, api_key: "sk-cut", timeout_ms: 250 },
        { name: "claude", type: "anthropic", base_url: w.claude.url, api_key: "sk-ant", timeout_ms: 2000 },
        { name: "ds", type: "deepseek", base_url: w.deepseek.baseUrl, api_key: "sk-ds", timeout_ms: 2000 },
        { name: "overloaded", type: "anthropic", base_url: w.overloaded.url, api_key: "sk-ant", timeout_ms: 2000 },
        { name: "plain", type: "openai-compatible", base_url: w.plain.baseUrl, api_key: "sk-plain", timeout_ms: 2000 },
      ],
      models: [
        model("to-claude", "claude"),
        model("to-deepseek", "ds"),
        model("off", "claude", false),
        // The second target takes no prefill: it is never chosen to continue.
        model("to-plain", "plain", true, "cut2"),
        model("overloaded-to-deepseek", "ds", true, "overloaded"),
        model("to-failing", "claude", true, "cut3"),
        // Continuation has one deadline: the broken target's timeout_ms (250 ms) after the break.
        {
          ...model("to-late", "claude", true, "cut4"),
          providers: [
            { provider: "cut4", model: "first-model" },
            { provider: "claude", model: "second-model" },
            { provider: "ds", model: "third-model" },
          ],
        },
      ],
    });
    w.proxy.proxy.onRequestFinished((r) => w.finished.push(r));
  });

  afterAll(async () => {
    await w.proxy.close();
    await Promise.all([w.cut.close(), w.claude.close(), w.deepseek.close(), w.plain.close(), w.overloaded.close()]);
  });

  beforeEach(() => {
    for (const m of [w.cut, w.claude, w.deepseek, w.plain]) {
      m.behavior.reset();
      m.requests.length = 0;
    }
    w.cut.behavior.fallback = { cutAfterChunks: 5 };
    w.finished.length = 0;
  });
}

export const openai = () => new OpenAI({ baseURL: `${w.proxy.url}/v1`, apiKey: "sk-any", maxRetries: 0 });

export async function chatStream(m: string): Promise<{ text: string; finish: string | null | undefined }> {
  const stream = await openai().chat.completions.create({ model: m, stream: true, messages: [{ role: "user", content: ASK }] });
  let text = "";
  let finish: string | null | undefined;
  const ids = new Set<string>();
  for await (const c of stream) {
    ids.add(c.id);
    text += c.choices[0]?.delta.content ?? "";
    finish = c.choices[0]?.finish_reason ?? finish;
  }
  expect(ids.size).toBe(1);
  return { text, finish };
}
