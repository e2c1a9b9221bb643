import { type MockUpstream, startMockUpstream } from "@ai-router/testing";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startTestProxy, type TestProxy } from "./harness.js";
import { OPENAI_SPEC_COMMIT, responseEventSchemas, violations } from "./openai-schemas.js";

// Every OpenAI-format answer the router sends (chat completions and chunks, Responses objects and
// events, embeddings, images, models, errors), for every target type, validated against OpenAI's
// published OpenAPI schemas (fixtures/openai-openapi.schemas.json, pinned to one openai-openapi commit).
let compat: MockUpstream;
let oai: MockUpstream;
let claude: MockUpstream;
let gem: MockUpstream;
let ark: MockUpstream;
let proxy: TestProxy;
const upstreams = () => [compat, oai, claude, gem, ark];

beforeAll(async () => {
  [compat, oai, claude, gem, ark] = await Promise.all([1, 2, 3, 4, 5].map(() => startMockUpstream()));
  proxy = await startTestProxy({
    server: { failure_threshold: 1000 },
    providers: [
      { name: "compat", type: "openai-compatible", base_url: compat.baseUrl, api_key: "sk-compat", timeout_ms: 2000 },
      { name: "oai", type: "openai", base_url: oai.baseUrl, api_key: "sk-oai", timeout_ms: 2000 },
      { name: "claude", type: "anthropic", base_url: claude.url, api_key: "sk-ant", timeout_ms: 2000 },
      { name: "gem", type: "gemini", base_url: `${gem.url}/v1beta`, api_key: "AIza-up", timeout_ms: 2000 },
      { name: "ark", type: "volcengine", base_url: `${ark.url}/api/v3`, api_key: "ark-key", timeout_ms: 2000 },
      { name: "demo", type: "mock" },
    ],
    models: [
      { name: "compat-model", providers: [{ provider: "compat", model: "qwen-upstream" }] },
      { name: "gpt-model", providers: [{ provider: "oai", model: "gpt-upstream" }] },
      { name: "claude-model", providers: [{ provider: "claude", model: "claude-upstream" }] },
      { name: "gemini-model", providers: [{ provider: "gem", model: "gemini-2.5-flash" }] },
      { name: "doubao-model", providers: [{ provider: "ark", model: "ep-2025" }] },
      { name: "demo-model", providers: [{ provider: "demo" }] },
      { name: "embed-compat", llm_type: "embedding", providers: [{ provider: "compat", model: "text-embedding-3-small" }] },
      { name: "embed-gemini", llm_type: "embedding", providers: [{ provider: "gem", model: "gemini-embedding-001" }] },
      { name: "image-model", llm_type: "image", providers: [{ provider: "oai", model: "dall-e-3" }] },
    ],
  });
});
afterAll(async () => {
  await proxy.close();
  await Promise.all(upstreams().map((m) => m.close()));
});
beforeEach(() => {
  for (const m of upstreams()) m.behavior.reset();
});

const post = (path: string, body: unknown, raw = false) =>
  fetch(proxy.url + path, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: raw ? (body as string) : JSON.stringify(body),
  });

/** Each SSE event's JSON data (`[DONE]` left out). */
async function sse(r: Response): Promise<Record<string, unknown>[]> {
  expect(r.headers.get("content-type")).toContain("text/event-stream");
  return (await r.text())
    .split(/\r?\n\r?\n/)
    .map((e) =>
      e
        .split(/\r?\n/)
        .find((l) => l.startsWith("data: "))
        ?.slice(6),
    )
    .filter((d): d is string => d !== undefined && d !== "[DONE]")
    .map((d) => JSON.parse(d) as Record<string, unknown>);
}

const conforms = (schema: string, value: unknown, what: string) =>
  expect(violations(schema, value), `${what}: ${JSON.stringify(value).slice(0, 400)}`).toEqual([]);

const weather = {
  type: "function",
  function: { name: "get_weather", description: "Weather", parameters: { type: "object", properties: { city: { type: "string" } } } },
};
const chatModels = ["compat-model", "gpt-model", "claude-model", "gemini-model", "doubao-model", "demo-model"];

it(`uses OpenAI's schemas from openai-openapi@${OPENAI_SPEC_COMMIT.slice(0, 7)}`, () => {
  expect(OPENAI_SPEC_COMMIT).toMatch(/^[0-9a-f]{40}$/);
  // The validator does reject what breaks the schema (a test that could never fail would prove nothing).
  expect(violations("CreateChatCompletionResponse", { id: "x", object: "chat.completion", choices: [{}] })).not.toEqual([]);
  expect(responseEventSchemas.get("response.failed")).toBe("ResponseFailedEvent");
});

describe.each(chatModels)("chat completions served by %s", (model) => {
  it("JSON answer (text, then tool calls) is a CreateChatCompletionResponse", async () => {
    for (const extra of [{}, { tools: [weather], messages: [{ role: "user", content: "call get_weather for Paris" }] }]) {
      const r = await post("/v1/chat/completions", { model, messages: [{ role: "user", content: "hello" }], ...extra });
      expect(r.status).toBe(200);
      conforms("CreateChatCompletionResponse", await r.json(), model);
    }
  });

  it("every stream chunk (text or tool calls, usage chunk included) is a CreateChatCompletionStreamResponse", async () => {
    for (const extra of [{}, { tools: [weather], messages: [{ role: "user", content: "call get_weather for Paris" }] }]) {
      const r = await post("/v1/chat/completions", {
        model,
        stream: true,
        stream_options: { include_usage: true },
        messages: [{ role: "user", content: "stream please" }],
        ...extra,
      });
      const chunks = await sse(r);
      expect(chunks.length).toBeGreaterThan(2);
      for (const c of chunks) conforms("CreateChatCompletionStreamResponse", c, model);
      // The built-in mock provider answers without tools; the others did call one.
      const called = chunks.some((c) => (c.choices as { delta?: { tool_calls?: unknown } }[] | undefined)?.[0]?.delta?.tool_calls);
      expect(called).toBe("tools" in extra && model !== "demo-model");
    }
  });
});

describe.each(chatModels)("Responses API served by %s", (model) => {
  it("the Response object (text, tool call, output limit) is a Response", async () => {
    for (const extra of [
      { input: "hello" },
      { input: "call get_weather for Paris", tools: [{ type: "function", name: "get_weather", parameters: weather.function.parameters }] },
      { input: "tell me a long story about routers", max_output_tokens: 16 },
    ]) {
      const r = await post("/v1/responses", { model, store: false, ...extra });
      expect(r.status).toBe(200);
      conforms("Response", await r.json(), model);
    }
  });

  it("every stream event is the published event of its type", async () => {
    const events = await sse(await post("/v1/responses", { model, store: false, stream: true, input: "hello there" }));
    expect(events.at(-1)?.type).toMatch(/^response\.(completed|incomplete)$/);
    for (const e of events) {
      const schema = responseEventSchemas.get(e.type as string);
      expect(schema, `unpublished event type ${String(e.type)}`).toBeDefined();
      conforms(schema!, e, `${model} ${String(e.type)}`);
    }
  });
});

describe("Responses stream cut mid-way (translated, and native from an OpenAI target)", () => {
  const upstreamOf = (model: string) => ({ "compat-model": compat, "claude-model": claude, "gemini-model": gem, "gpt-model": oai })[model]!;
  it.each(["compat-model", "claude-model", "gemini-model", "gpt-model"])(
    "%s: error, then a response.failed with a published error code",
    async (model) => {
      upstreamOf(model).behavior.next({ cutAfterChunks: 6, text: "a long answer that will be cut somewhere in the middle of it" });
      const events = await sse(await post("/v1/responses", { model, store: false, stream: true, input: "hello" }));
      expect(events.at(-1)?.type).toBe("response.failed");
      expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
      expect(events.at(-1)).toMatchObject({ response: { status: "failed", error: { code: "server_error" } } });
      for (const e of events) conforms(responseEventSchemas.get(e.type as string) ?? "missing", e, `${model} ${String(e.type)}`);
    },
  );
});

describe("embeddings, images, models", () => {
  it.each(["embed-compat", "embed-gemini"])("%s: a CreateEmbeddingResponse", async (model) => {
    const r = await post("/v1/embeddings", { model, input: ["one", "two"] });
    expect(r.status).toBe(200);
    conforms("CreateEmbeddingResponse", await r.json(), model);
  });

  it("images: an ImagesResponse", async () => {
    const r = await post("/v1/images/generations", { model: "image-model", prompt: "a router", n: 1 });
    expect(r.status).toBe(200);
    conforms("ImagesResponse", await r.json(), "images");
  });

  it("models: a ListModelsResponse, and one Model", async () => {
    conforms("ListModelsResponse", await (await fetch(`${proxy.url}/v1/models`)).json(), "list");
    conforms("Model", await (await fetch(`${proxy.url}/v1/models/compat-model`)).json(), "model");
  });
});

describe("errors: an ErrorResponse on every OpenAI-format endpoint", () => {
  it.each([
    ["/v1/chat/completions", "{not json", true],
    ["/v1/chat/completions", { model: "no-such-model", messages: [{ role: "user", content: "x" }] }, false],
    ["/v1/chat/completions", { model: "compat-model", messages: "not a list" }, false],
    ["/v1/responses", { model: "compat-model", input: 42 }, false],
    ["/v1/responses", { model: "no-such-model", input: "x" }, false],
    ["/v1/embeddings", { model: "compat-model", input: "x" }, false],
    ["/v1/images/generations", { model: "image-model" }, false],
  ] as const)("%s %j", async (path, body, raw) => {
    const r = await post(path, body, raw);
    expect(r.status).toBeGreaterThanOrEqual(400);
    conforms("ErrorResponse", await r.json(), path);
  });

  it("an upstream's failure relayed", async () => {
    compat.behavior.next({ status: 400, message: "bad thing" });
    const r = await post("/v1/chat/completions", { model: "compat-model", messages: [{ role: "user", content: "x" }] });
    expect(r.status).toBe(400);
    conforms("ErrorResponse", await r.json(), "upstream 400");
  });

  it("unknown path and wrong method", async () => {
    conforms("ErrorResponse", await (await fetch(`${proxy.url}/v1/nope`)).json(), "404");
    conforms("ErrorResponse", await (await fetch(`${proxy.url}/v1/chat/completions`)).json(), "405");
  });
});
