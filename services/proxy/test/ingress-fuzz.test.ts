import { type MockUpstream, startMockUpstream } from "@ai-router/testing";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { body, chatShape, geminiShape, messagesShape, responsesShape, type Shape, shaped } from "./fuzz-shapes.js";
import { startTestProxy, type TestProxy } from "./harness.js";

// Random JSON of each front door's top-level shape, through a real proxy to mock upstreams of every
// kind: whatever a client sends is answered below 500 (a 400 naming its field, or a served answer),
// and the proxy keeps answering /health after each batch. Seeded, so a failure replays.
let openai: MockUpstream;
let claude: MockUpstream;
let gemini: MockUpstream;
let proxy: TestProxy;
const RUNS = 50;

beforeAll(async () => {
  [openai, claude, gemini] = await Promise.all([startMockUpstream(), startMockUpstream(), startMockUpstream()]);
  proxy = await startTestProxy({
    server: { failure_threshold: 1000, max_attempts: 1 },
    providers: [
      { name: "oc", type: "openai-compatible", base_url: openai.baseUrl, api_key: "sk-o", timeout_ms: 5000 },
      { name: "oa", type: "openai", base_url: openai.baseUrl, api_key: "sk-o", timeout_ms: 5000 },
      { name: "an", type: "anthropic", base_url: claude.url, api_key: "sk-ant", timeout_ms: 5000 },
      { name: "ge", type: "gemini", base_url: `${gemini.url}/v1beta`, api_key: "AIza-k", timeout_ms: 5000 },
    ],
    models: [
      { name: "chat-model", providers: [{ provider: "oc", model: "gpt-4o" }] },
      { name: "native-openai", providers: [{ provider: "oa", model: "gpt-4o" }] },
      { name: "claude-model", providers: [{ provider: "an", model: "claude-x" }] },
      { name: "gemini-model", providers: [{ provider: "ge", model: "gemini-2.5-flash" }] },
      { name: "embed-model", llm_type: "embedding", providers: [{ provider: "oc", model: "text-embedding-3-small" }] },
      { name: "image-model", llm_type: "image", providers: [{ provider: "oc", model: "dall-e-3" }] },
    ],
  });
});
afterAll(async () => {
  await proxy?.close();
  await Promise.all([openai, claude, gemini].map((u) => u?.close()));
});

const chatModels = fc.constantFrom("chat-model", "native-openai", "claude-model", "gemini-model");

/** Sends one body; the answer (stream or JSON) is read to its end. */
async function send(path: string, payload: unknown, raw = false): Promise<{ status: number; text: string }> {
  const res = await fetch(proxy.url + path, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: raw ? (payload as string) : JSON.stringify(payload),
    signal: AbortSignal.timeout(10_000),
  });
  return { status: res.status, text: await res.text() };
}

/** Runs `runs` seeded bodies against `path`, expecting no 5xx, then checks /health. */
async function fuzz(path: (b: Record<string, unknown>) => string, arb: fc.Arbitrary<Record<string, unknown>>, seed: number) {
  await fc.assert(
    fc.asyncProperty(arb, async (b) => {
      const r = await send(path(b), b);
      if (r.status >= 500) throw new Error(`${r.status} for ${JSON.stringify(b).slice(0, 2000)}: ${r.text.slice(0, 500)}`);
    }),
    { seed, numRuns: RUNS, endOnFailure: true },
  );
  const health = await fetch(`${proxy.url}/health`, { signal: AbortSignal.timeout(2000) });
  expect(health.status).toBe(200);
}

const geminiBody = body({ model: chatModels }, geminiShape, ["contents"]);
const geminiPath = (method: string) => (b: Record<string, unknown>) => `/v1beta/models/${String(b.model)}:${method}`;

describe("fuzzed bodies of each ingress's shape never get a 5xx", () => {
  it("OpenAI chat completions", () => fuzz(() => "/v1/chat/completions", body({ model: chatModels }, chatShape, ["messages"]), 101));
  it("Responses (every kind of target)", () => fuzz(() => "/v1/responses", body({ model: chatModels }, responsesShape, ["input"]), 202));
  it("Anthropic messages", () =>
    fuzz(() => "/v1/messages", body({ model: chatModels, max_tokens: fc.constantFrom(16, 64) }, messagesShape, ["messages"]), 303));
  it("Anthropic count_tokens", () =>
    fuzz(() => "/v1/messages/count_tokens", body({ model: chatModels }, messagesShape, ["messages"]), 404));
  it("Gemini generateContent", () => fuzz(geminiPath("generateContent"), geminiBody, 505));
  it("Gemini streamGenerateContent", () => fuzz((b) => `${geminiPath("streamGenerateContent")(b)}?alt=sse`, geminiBody, 606));
  it("Gemini countTokens", () =>
    fuzz(
      geminiPath("countTokens"),
      body({ model: chatModels }, { ...geminiShape, generateContentRequest: geminiShape as Shape }, ["contents"]),
      707,
    ));
  it("embeddings", () =>
    fuzz(
      () => "/v1/embeddings",
      body(
        { model: fc.constantFrom("embed-model", "chat-model") },
        { input: [["a", 1]], dimensions: [8, -1], encoding_format: ["float", "base64", "x"] },
      ),
      808,
    ));
  it("image generations", () =>
    fuzz(
      () => "/v1/images/generations",
      body(
        { model: fc.constantFrom("image-model", "chat-model") },
        { prompt: ["a cat", ""], n: [1, 2, 11], size: ["1024x1024", "x"], quality: ["hd"], response_format: ["url", "b64_json"] },
      ),
      909,
    ));
  it("image edits and variations (JSON)", async () => {
    const images = {
      image: [["iVBORw0KGgo=", "data:image/png;base64,iVBORw0KGgo=", "not base64 ~~", ""]],
      mask: ["iVBORw0KGgo="],
      prompt: ["a cat", ""],
      n: [1, 2],
      size: ["256x256"],
      response_format: ["url", "b64_json"],
    };
    const model = fc.constantFrom("image-model", "chat-model");
    await fuzz(() => "/v1/images/edits", body({ model }, images, ["image"]), 1111);
    await fuzz(() => "/v1/images/variations", body({ model }, images, ["image"]), 1212);
  });
  it("image edits as multipart/form-data, parts and bytes at random (cut short too)", async () => {
    const part = fc.record({
      name: fc.constantFrom("model", "prompt", "image", "image[]", "mask", "n", "size", "response_format", 'x"y', ""),
      file: fc.boolean(),
      type: fc.constantFrom("image/png", "text/plain", "", "application/octet-stream"),
      value: fc.oneof(fc.constantFrom("image-model", "a cat", "2", "-1", "", "\r\n--B\r\n"), fc.string({ maxLength: 40 })),
    });
    const form = fc.tuple(fc.array(part, { maxLength: 6 }), fc.boolean(), fc.nat(400)).map(([parts, closed, cut]) => {
      let text = "";
      for (const p of parts) {
        text += `--B\r\nContent-Disposition: form-data; name="${p.name}"${p.file ? '; filename="a.png"' : ""}\r\n`;
        text += `${p.type ? `Content-Type: ${p.type}\r\n` : ""}\r\n${p.value}\r\n`;
      }
      text += closed ? "--B--\r\n" : "";
      return cut > 0 && cut < text.length ? text.slice(0, cut) : text;
    });
    await fc.assert(
      fc.asyncProperty(form, async (text) => {
        const res = await fetch(`${proxy.url}/v1/images/edits`, {
          method: "POST",
          headers: { "content-type": "multipart/form-data; boundary=B" },
          body: text,
          signal: AbortSignal.timeout(10_000),
        });
        const answer = await res.text();
        if (res.status >= 500) throw new Error(`${res.status} for ${JSON.stringify(text)}: ${answer.slice(0, 300)}`);
      }),
      { seed: 1313, numRuns: RUNS, endOnFailure: true },
    );
    expect((await fetch(`${proxy.url}/health`)).status).toBe(200);
  });
  it("the top-level value itself may be anything", () =>
    fuzz(
      () => "/v1/chat/completions",
      shaped("any").map((v) => ({ model: "chat-model", messages: v })),
      1010,
    ));
});

describe("the wrong shapes the review found answered 500", () => {
  const hello = [{ role: "user", parts: [{ text: "hi" }] }];
  it.each([
    ["contents: {}", { contents: {} }, "contents: contents is not specified"],
    ["parts: [null]", { contents: [{ role: "user", parts: [null] }] }, "contents[0].parts[0]"],
    ['systemInstruction.parts: "x"', { contents: hello, systemInstruction: { parts: "x" } }, "systemInstruction"],
    [
      "functionCall without a name",
      { contents: [{ role: "model", parts: [{ functionCall: { args: {} } }] }, ...hello] },
      "contents[0].parts[0].functionCall.name",
    ],
    [
      "inlineData.mimeType: 5",
      { contents: [{ role: "user", parts: [{ inlineData: { mimeType: 5, data: "x" } }] }] },
      "contents[0].parts[0].inlineData.mimeType",
    ],
    [
      "tools: [{functionDeclarations: [null]}]",
      { contents: hello, tools: [{ functionDeclarations: [null] }] },
      "tools[0].functionDeclarations[0]",
    ],
    [
      "generationConfig.stopSequences: [1]",
      { contents: hello, generationConfig: { stopSequences: [1] } },
      "generationConfig.stopSequences[0]",
    ],
  ])("Gemini %s: 400 INVALID_ARGUMENT naming the field", async (_name, b, field) => {
    for (const model of ["chat-model", "claude-model", "gemini-model"]) {
      const r = await send(`/v1beta/models/${model}:generateContent`, b);
      expect(r.status, `${model}: ${r.text}`).toBe(400);
      const err = JSON.parse(r.text).error;
      expect(err).toMatchObject({ code: 400, status: "INVALID_ARGUMENT" });
      expect(err.message).toContain(field);
    }
  });

  it("a Gemini schema nested deep enough to overflow the stack: 400 naming the depth limit", async () => {
    const n = 20_000;
    const schema = `${'{"type":"OBJECT","properties":{"a":'.repeat(n)}{"type":"STRING"}${"}}".repeat(n)}`;
    const raw = `{"contents":${JSON.stringify(hello)},"tools":[{"functionDeclarations":[{"name":"f","parameters":${schema}}]}]}`;
    const r = await send("/v1beta/models/chat-model:generateContent", raw, true);
    expect(r.status).toBe(400);
    expect(JSON.parse(r.text).error).toMatchObject({
      status: "INVALID_ARGUMENT",
      message: expect.stringContaining("deeper than 128 levels"),
    });
  });

  it.each(["chat-model", "native-openai", "claude-model", "gemini-model"])(
    'Responses content: [null, 5, "x"] to %s: 400 naming input[0].content',
    async (model) => {
      const r = await send("/v1/responses", { model, input: [{ type: "message", role: "user", content: [null, 5, "x"] }] });
      expect(r.status, r.text).toBe(400);
      expect(JSON.parse(r.text).error).toMatchObject({
        type: "invalid_request_error",
        param: expect.stringMatching(/^input\[0\]\.content/),
      });
    },
  );

  it("Gemini countTokens with wrong shapes: 400", async () => {
    for (const b of [{ contents: [{ parts: [null] }] }, { generateContentRequest: { contents: [{ parts: "x" }] } }]) {
      const r = await send("/v1beta/models/chat-model:countTokens", b);
      expect(r.status, JSON.stringify(b)).toBe(400);
    }
  });
});
