import { type MockUpstream, startMockUpstream } from "@ai-router/testing";
import Anthropic from "@anthropic-ai/sdk";
import { GoogleGenAI } from "@google/genai";
import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { RequestRecord } from "../src/record/request-record.js";
import { startTestProxy, type TestProxy } from "./harness.js";

// The answer the mocks give: "Echo: " and the user's words, streamed 8 characters an event. Cut after 5
// events (the role chunk and 4 pieces), the client has "Echo: abcdefghijklmnopqrstuvwxy " (ending in a
// space, which Anthropic's prefill cannot carry: the seam must neither lose nor repeat it).
const ASK = "abcdefghijklmnopqrstuvwxy and then the rest of the answer goes on to the very end.";
const FULL = `Echo: ${ASK}`;

let cut: MockUpstream;
let claude: MockUpstream;
let deepseek: MockUpstream;
let plain: MockUpstream;
let proxy: TestProxy;
const finished: RequestRecord[] = [];

// The cutting target's passive health suffers from every cut: the tests that need it first have their own.
const model = (name: string, second: string, on = true, first = "cut") => ({
  name,
  strategy: "fallback",
  stream_continuation: on,
  providers: [
    { provider: first, model: "first-model" },
    { provider: second, model: "second-model" },
  ],
});

beforeAll(async () => {
  [cut, claude, deepseek, plain] = await Promise.all([startMockUpstream(), startMockUpstream(), startMockUpstream(), startMockUpstream()]);
  proxy = await startTestProxy({
    // Every test cuts the same first target: its breaker must not take it out of the order.
    server: { failure_threshold: 1000, cooldown_ms: 0 },
    providers: [
      { name: "cut", type: "openai-compatible", base_url: cut.baseUrl, api_key: "sk-cut", timeout_ms: 2000 },
      { name: "cut2", type: "openai-compatible", base_url: cut.baseUrl, api_key: "sk-cut", timeout_ms: 2000 },
      { name: "cut3", type: "openai-compatible", base_url: cut.baseUrl, api_key: "sk-cut", timeout_ms: 2000 },
      { name: "cut4", type: "openai-compatible", base_url: cut.baseUrl, api_key: "sk-cut", timeout_ms: 250 },
      { name: "claude", type: "anthropic", base_url: claude.url, api_key: "sk-ant", timeout_ms: 2000 },
      { name: "ds", type: "deepseek", base_url: deepseek.baseUrl, api_key: "sk-ds", timeout_ms: 2000 },
      { name: "plain", type: "openai-compatible", base_url: plain.baseUrl, api_key: "sk-plain", timeout_ms: 2000 },
    ],
    models: [
      model("to-claude", "claude"),
      model("to-deepseek", "ds"),
      model("off", "claude", false),
      // The second target takes no prefill: it is never chosen to continue.
      model("to-plain", "plain", true, "cut2"),
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
  proxy.proxy.onRequestFinished((r) => finished.push(r));
});

afterAll(async () => {
  await proxy.close();
  await Promise.all([cut.close(), claude.close(), deepseek.close(), plain.close()]);
});

beforeEach(() => {
  for (const m of [cut, claude, deepseek, plain]) {
    m.behavior.reset();
    m.requests.length = 0;
  }
  cut.behavior.fallback = { cutAfterChunks: 5 };
  finished.length = 0;
});

const openai = () => new OpenAI({ baseURL: `${proxy.url}/v1`, apiKey: "sk-any", maxRetries: 0 });

async function chatStream(m: string): Promise<{ text: string; finish: string | null | undefined }> {
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

/** The request's record: both attempts (`broken`, then `served`) and the two attempts' usage added up. */
async function expectContinuedRecord(second: string): Promise<void> {
  await expect.poll(() => finished.length).toBe(1);
  const r = finished[0] as RequestRecord;
  expect(r.outcome).toBe("served");
  expect(r.attempts.map((a) => [a.provider, a.outcome])).toEqual([
    ["cut", "broken"],
    [second, "served"],
  ]);
  // The continuation's prompt includes the prefill, and the broken attempt's output is counted too.
  expect(r.usage?.completion_tokens).toBeGreaterThanOrEqual(Math.ceil(FULL.length / 4));
  expect(r.usage?.prompt_tokens).toBeGreaterThan(2 * Math.ceil(ASK.length / 4));
}

for (const [m, second, upstream] of [
  ["to-claude", "claude", () => claude],
  ["to-deepseek", "ds", () => deepseek],
] as const) {
  describe(`a stream cut after 5 events continues on ${second}`, () => {
    it("OpenAI chat stream: exactly the full text, one id, finish_reason stop", async () => {
      const { text, finish } = await chatStream(m);
      expect(text).toBe(FULL);
      expect(finish).toBe("stop");
      await expectContinuedRecord(second);
      const sent = upstream().requests.at(-1)?.body as { messages: { role: string; content: unknown; prefix?: boolean }[] };
      const last = sent.messages.at(-1);
      expect(last?.role).toBe("assistant");
      if (second === "ds") expect(last).toMatchObject({ content: "Echo: abcdefghijklmnopqrstuvwxy ", prefix: true });
    });

    it("Anthropic messages.stream: the full text and end_turn", async () => {
      const client = new Anthropic({ baseURL: proxy.url, apiKey: "sk-any", maxRetries: 0 });
      const stream = client.messages.stream({ model: m, max_tokens: 256, messages: [{ role: "user", content: ASK }] });
      const events: string[] = [];
      stream.on("streamEvent", (e) => events.push(e.type));
      const msg = await stream.finalMessage();
      expect(msg.content.map((b) => (b.type === "text" ? b.text : "")).join("")).toBe(FULL);
      expect(msg.stop_reason).toBe("end_turn");
      expect(events.filter((e) => e === "message_start")).toHaveLength(1);
      expect(events.filter((e) => e === "content_block_start")).toHaveLength(1);
      expect(events.at(-1)).toBe("message_stop");
      await expectContinuedRecord(second);
    });

    it("Responses responses.stream: the full output_text, completed", async () => {
      const stream = openai().responses.stream({ model: m, input: ASK });
      const created: string[] = [];
      stream.on("response.created", (e) => created.push(e.response.id));
      const res = await stream.finalResponse();
      expect(res.output_text).toBe(FULL);
      expect(res.status).toBe("completed");
      expect(created).toEqual([res.id]);
      await expectContinuedRecord(second);
    });

    it("Gemini streamGenerateContent: the full text, finishReason STOP", async () => {
      const sdk = new GoogleGenAI({ apiKey: "sk-any", httpOptions: { baseUrl: proxy.url } });
      const stream = await sdk.models.generateContentStream({ model: m, contents: ASK });
      let text = "";
      let finish: string | undefined;
      for await (const c of stream) {
        text += c.text ?? "";
        finish = c.candidates?.[0]?.finishReason ?? finish;
      }
      expect(text).toBe(FULL);
      expect(finish).toBe("STOP");
      await expectContinuedRecord(second);
    });
  });
}

describe("thinking followed by text", () => {
  it("continues the text; the thinking is relayed once, the continuation's own is not", async () => {
    // role, 2 reasoning pieces ("Let me t", "hink."), then 4 text pieces: cut there.
    cut.behavior.fallback = { cutAfterChunks: 7, reasoning: "Let me think." };
    deepseek.behavior.fallback = { reasoning: "Thinking again." };
    const stream = await openai().chat.completions.create({ model: "to-deepseek", stream: true, messages: [{ role: "user", content: ASK }] });
    let text = "";
    let reasoning = "";
    for await (const c of stream) {
      const d = c.choices[0]?.delta as { content?: string; reasoning_content?: string } | undefined;
      text += d?.content ?? "";
      reasoning += d?.reasoning_content ?? "";
    }
    expect(reasoning).toBe("Let me think.");
    expect(text).toBe(FULL);
    const sent = deepseek.requests.at(-1)?.body as { messages: { content: unknown; prefix?: boolean }[] };
    expect(sent.messages.at(-1)).toMatchObject({ content: "Echo: abcdefghijklmnopqrstuvwxy ", prefix: true });
  });

  it("a break inside the thinking (no text yet) is not continued", async () => {
    cut.behavior.fallback = { cutAfterChunks: 2, reasoning: "Let me think about it for a while." };
    const r = await fetch(`${proxy.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "to-deepseek", stream: true, messages: [{ role: "user", content: ASK }] }),
    });
    const body = await r.text();
    expect(body).toContain("reasoning_content");
    expect(body).toContain('"error"');
    expect(body).not.toContain("[DONE]");
    expect(deepseek.requests).toHaveLength(0);
  });
});

describe("/v1/models/{m}/capabilities", () => {
  it("shows whether the model continues streams and the prefill each of its providers takes", async () => {
    const on = await (await fetch(`${proxy.url}/v1/models/to-claude/capabilities`)).json();
    expect(on.stream_continuation).toEqual({
      enabled: true,
      providers: [
        { provider: "cut", prefill: null },
        { provider: "claude", prefill: "anthropic" },
      ],
    });
    const ds = await (await fetch(`${proxy.url}/v1/models/to-deepseek/capabilities`)).json();
    expect(ds.stream_continuation.providers[1]).toEqual({ provider: "ds", prefill: "prefix" });
    const off = await (await fetch(`${proxy.url}/v1/models/off/capabilities`)).json();
    expect(off.stream_continuation.enabled).toBe(false);
  });
});

describe("what is not continued", () => {
  const tools = [{ type: "function" as const, function: { name: "lookup", parameters: { type: "object", properties: {} } } }];

  it("a cut inside a tool call's arguments: the in-band error, no second request", async () => {
    cut.behavior.fallback = { cutAfterChunks: 3 }; // role, the call's start, one piece of its arguments
    const r = await fetch(`${proxy.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "to-claude", stream: true, tools, messages: [{ role: "user", content: "lookup please" }] }),
    });
    const body = await r.text();
    expect(body).toContain('"arguments"');
    expect(body).toContain('"error"');
    expect(body).not.toContain("[DONE]");
    expect(claude.requests).toHaveLength(0);
  });

  it("a model with stream_continuation off: the in-band error as before, no second request", async () => {
    const r = await fetch(`${proxy.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "off", stream: true, messages: [{ role: "user", content: ASK }] }),
    });
    const body = await r.text();
    expect(body).toContain("Echo: ab");
    expect(body).toContain('"error"');
    expect(body).not.toContain("[DONE]");
    expect(claude.requests).toHaveLength(0);
    await expect.poll(() => finished.length).toBe(1);
    expect(finished[0]?.outcome).toBe("broken");
  });

  it("a provider without prefill is never asked to continue: the in-band error, no false finish_reason", async () => {
    const r = await fetch(`${proxy.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "to-plain", stream: true, messages: [{ role: "user", content: ASK }] }),
    });
    const body = await r.text();
    expect(body).toContain('"error"');
    expect(body).not.toContain('finish_reason":"stop');
    expect(body).not.toContain("[DONE]");
    expect(plain.requests).toHaveLength(0);
    await expect.poll(() => finished.length).toBe(1);
    expect(finished[0]?.outcome).toBe("broken");
  });

  it("a continuation target that fails before its first byte: the next one may not exist, the client gets the in-band error", async () => {
    claude.behavior.fallback = { status: 500 };
    const r = await fetch(`${proxy.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "to-failing", stream: true, messages: [{ role: "user", content: ASK }] }),
    });
    const body = await r.text();
    expect(body).toContain("Echo: ab");
    expect(body).toContain('"error"');
    expect(body).not.toContain("[DONE]");
    expect(claude.requests).toHaveLength(1);
    await expect.poll(() => finished.length).toBe(1);
    expect(finished[0]?.outcome).toBe("broken");
    expect(finished[0]?.attempts.map((a) => a.outcome)).toEqual(["broken", "retry"]);
  });

  it("one deadline for the whole continuation: no attempt starts after it", async () => {
    claude.behavior.next({ status: 500, delayMs: 400 });
    const r = await fetch(`${proxy.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "to-late", stream: true, messages: [{ role: "user", content: ASK }] }),
    });
    const body = await r.text();
    expect(body).toContain('"error"');
    expect(body).not.toContain("[DONE]");
    expect(deepseek.requests).toHaveLength(0);
    await expect.poll(() => finished.length).toBe(1);
    expect(finished[0]?.attempts.map((a) => a.outcome)).toEqual(["broken", "retry"]);
  });
});
