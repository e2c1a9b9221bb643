import { type MockUpstream, startMockUpstream } from "@ai-router/testing";
import Anthropic from "@anthropic-ai/sdk";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startTestProxy, type TestProxy } from "./harness.js";

// The @anthropic-ai/sdk against POST /v1/messages: translated for an OpenAI-served model, passed
// through for an Anthropic-served one. Either way the client sees Anthropic's API.
let openai: MockUpstream;
let claude: MockUpstream;
let proxy: TestProxy;
let client: Anthropic;

beforeAll(async () => {
  openai = await startMockUpstream();
  claude = await startMockUpstream();
  proxy = await startTestProxy({
    server: { failure_threshold: 1000 },
    providers: [
      { name: "oai", type: "openai-compatible", base_url: openai.baseUrl, api_key: "sk-oai", timeout_ms: 2000 },
      { name: "claude", type: "anthropic", base_url: claude.url, api_key: "sk-ant-up", timeout_ms: 2000 },
      { name: "demo", type: "mock" },
    ],
    models: [
      { name: "gpt-4o", providers: [{ provider: "oai", model: "gpt-4o-2024" }] },
      { name: "gpt-strict", strict: true, providers: [{ provider: "oai", model: "gpt-4o-2024" }] },
      { name: "claude-test", providers: [{ provider: "claude", model: "claude-upstream-1" }] },
      { name: "demo", providers: [{ provider: "demo" }] },
    ],
    keys: [{ name: "team", key: "sk-router-team" }],
  });
  client = new Anthropic({ baseURL: proxy.url, apiKey: "sk-router-team", maxRetries: 0 });
});
afterAll(async () => {
  await proxy.close();
  await openai.close();
  await claude.close();
});
beforeEach(() => {
  openai.behavior.reset();
  claude.behavior.reset();
  openai.requests.length = 0;
  claude.requests.length = 0;
});

const lastOpenAI = () => openai.received("/chat/completions").at(-1)?.body as Record<string, unknown>;
const weather = {
  name: "get_weather",
  description: "Weather",
  input_schema: { type: "object" as const, properties: { city: { type: "string" } } },
};
const time = { name: "get_time", input_schema: { type: "object" as const, properties: {} } };

describe("@anthropic-ai/sdk -> OpenAI-served model (translated)", () => {
  it("messages.create: system and messages arrive in OpenAI's format; the answer is an Anthropic message", async () => {
    const m = await client.messages.create({
      model: "gpt-4o",
      max_tokens: 300,
      system: "Be brief.",
      stop_sequences: ["END"],
      messages: [{ role: "user", content: "hello" }],
    });
    expect(m.type).toBe("message");
    expect(m.role).toBe("assistant");
    expect(m.id).toMatch(/^msg_/);
    expect(m.content).toEqual([{ type: "text", text: "Echo: hello" }]);
    expect(m.stop_reason).toBe("end_turn");
    expect(m.usage.input_tokens).toBeGreaterThan(0);
    expect(m.usage.output_tokens).toBeGreaterThan(0);
    expect(lastOpenAI()).toEqual({
      model: "gpt-4o-2024",
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "hello" },
      ],
      max_tokens: 300,
      stop: ["END"],
    });
  });

  it("maps finish_reason length to stop_reason max_tokens", async () => {
    const m = await client.messages.create({
      model: "gpt-4o",
      max_tokens: 2,
      messages: [{ role: "user", content: "a long question here" }],
    });
    expect(m.stop_reason).toBe("max_tokens");
    expect(m.usage.output_tokens).toBe(2);
  });

  it("messages.stream + finalMessage(): the full Anthropic event sequence, usage included", async () => {
    const stream = client.messages.stream({ model: "gpt-4o", max_tokens: 300, messages: [{ role: "user", content: "stream me please" }] });
    const events: string[] = [];
    stream.on("streamEvent", (e) => events.push(e.type));
    const texts: string[] = [];
    stream.on("text", (t) => texts.push(t));
    const final = await stream.finalMessage();
    expect(texts.length).toBeGreaterThan(1);
    expect(final.content).toEqual([{ type: "text", text: "Echo: stream me please" }]);
    expect(final.stop_reason).toBe("end_turn");
    expect(final.usage.output_tokens).toBeGreaterThan(0);
    expect(final.usage.input_tokens).toBeGreaterThan(0);
    expect(events[0]).toBe("message_start");
    expect(events.slice(-2)).toEqual(["message_delta", "message_stop"]);
    expect(events.filter((e) => e === "content_block_start")).toHaveLength(1);
    // The router asked the OpenAI upstream for usage on the client's behalf.
    expect(lastOpenAI().stream_options).toEqual({ include_usage: true });
  });

  it("round-trips parallel tool use: tool_use blocks in the stream, tool_result blocks sent back as tool messages", async () => {
    const messages: Anthropic.MessageParam[] = [{ role: "user", content: "call get_weather and get_time" }];
    const first = await client.messages.stream({ model: "gpt-4o", max_tokens: 300, tools: [weather, time], messages }).finalMessage();
    expect(first.stop_reason).toBe("tool_use");
    const uses = first.content.flatMap((b) => (b.type === "tool_use" ? [b] : []));
    expect(uses.map((u) => u.name)).toEqual(["get_weather", "get_time"]);
    expect(uses[0]?.input).toEqual({ query: "call get_weather and get_time", n: 0 });
    messages.push({ role: "assistant", content: first.content });
    messages.push({
      role: "user",
      content: uses.map((u) => ({ type: "tool_result" as const, tool_use_id: u.id, content: `${u.name}: ok` })),
    });
    const second = await client.messages.create({ model: "gpt-4o", max_tokens: 300, tools: [weather, time], messages });
    expect(second.content).toEqual([{ type: "text", text: "Tool said: get_time: ok" }]);
    const sent = lastOpenAI().messages as { role: string; tool_call_id?: string; tool_calls?: { id: string }[] }[];
    expect(sent.map((m) => m.role)).toEqual(["user", "assistant", "tool", "tool"]);
    expect(sent[1]?.tool_calls?.map((c) => c.id)).toEqual(uses.map((u) => u.id));
    expect(sent.slice(2).map((m) => m.tool_call_id)).toEqual(uses.map((u) => u.id));
  });

  it("maps tool_choice any with parallel use disabled", async () => {
    const m = await client.messages.create({
      model: "gpt-4o",
      max_tokens: 300,
      tools: [weather, time],
      tool_choice: { type: "any", disable_parallel_tool_use: true },
      messages: [{ role: "user", content: "call get_weather and get_time" }],
    });
    expect(m.content.filter((b) => b.type === "tool_use")).toHaveLength(1);
    expect(lastOpenAI()).toMatchObject({ tool_choice: "required", parallel_tool_calls: false });
  });

  it("warns about what the OpenAI target cannot carry (cache_control, top_k); a strict model answers 400", async () => {
    const params = {
      max_tokens: 50,
      top_k: 5,
      system: [{ type: "text" as const, text: "sys", cache_control: { type: "ephemeral" as const } }],
      messages: [{ role: "user" as const, content: "hi" }],
    };
    const { response } = await client.messages.create({ model: "gpt-4o", ...params }).withResponse();
    expect(response.headers.get("x-router-warnings")).toBe("dropped:top_k, dropped:cache_control");
    const err = await client.messages.create({ model: "gpt-strict", ...params }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.BadRequestError);
    expect((err as InstanceType<typeof Anthropic.APIError>).type).toBe("invalid_request_error");
  });

  it("serves a model the mock provider answers in-process, JSON and stream", async () => {
    const m = await client.messages.create({ model: "demo", max_tokens: 50, messages: [{ role: "user", content: "hi there" }] });
    expect((m.content[0] as { text: string }).text).toContain("You said: hi there");
    const s = await client.messages
      .stream({ model: "demo", max_tokens: 50, messages: [{ role: "user", content: "hi there" }] })
      .finalMessage();
    expect((s.content[0] as { text: string }).text).toBe((m.content[0] as { text: string }).text);
    expect(s.stop_reason).toBe("end_turn");
  });

  it("estimates count_tokens and says so", async () => {
    const { data, response } = await client.messages
      .countTokens({ model: "gpt-4o", messages: [{ role: "user", content: "count these words, please" }] })
      .withResponse();
    expect(data.input_tokens).toBeGreaterThan(5);
    expect(response.headers.get("x-router-warnings")).toBe("estimated:input_tokens");
  });
});

describe("@anthropic-ai/sdk -> Anthropic-served model (passed through)", () => {
  it("forwards the body untouched but for the model: cache_control and thinking blocks are kept", async () => {
    const params: Anthropic.MessageCreateParamsNonStreaming = {
      model: "claude-test",
      max_tokens: 2048,
      thinking: { type: "enabled", budget_tokens: 1024 },
      system: [{ type: "text", text: "cached system prompt ".repeat(20), cache_control: { type: "ephemeral" } }],
      messages: [
        { role: "user", content: "first" },
        {
          role: "assistant",
          content: [
            { type: "thinking", thinking: "earlier thought", signature: "sig_abc" },
            { type: "text", text: "ok" },
          ],
        },
        { role: "user", content: "second" },
      ],
    };
    const m = await client.messages.create(params);
    expect(claude.received("/v1/messages").at(-1)?.body).toEqual({ ...params, model: "claude-upstream-1" });
    expect(m.content[0]).toMatchObject({ type: "thinking", thinking: "Let me think about that." });
    expect(m.usage.cache_read_input_tokens).toBeGreaterThan(50);
    const headers = claude.received("/v1/messages").at(-1)?.headers;
    expect(headers?.["x-api-key"]).toBe("sk-ant-up");
    expect(headers?.authorization).toBeUndefined();
  });

  it("passes the event stream through: thinking with its signature, tool use", async () => {
    const final = await client.messages
      .stream({
        model: "claude-test",
        max_tokens: 2048,
        thinking: { type: "enabled", budget_tokens: 1024 },
        tools: [weather],
        messages: [{ role: "user", content: "get_weather please" }],
      })
      .finalMessage();
    expect(final.content.map((b) => b.type)).toEqual(["thinking", "tool_use"]);
    expect((final.content[0] as { signature: string }).signature).toMatch(/^sig_/);
    expect(final.stop_reason).toBe("tool_use");
  });

  it("counts tokens exactly upstream", async () => {
    const { data, response } = await client.messages
      .countTokens({ model: "claude-test", messages: [{ role: "user", content: "count me" }] })
      .withResponse();
    expect(data.input_tokens).toBeGreaterThan(0);
    expect(response.headers.get("x-router-warnings")).toBeNull();
    expect(claude.received("/v1/messages/count_tokens").at(-1)?.body).toEqual({
      model: "claude-upstream-1",
      messages: [{ role: "user", content: "count me" }],
    });
  });

  it("returns Anthropic's overload as a 529 OverloadedError, and a mid-stream error as an error event", async () => {
    claude.behavior.next({ status: 529 });
    const err = await client.messages
      .create({ model: "claude-test", max_tokens: 10, messages: [{ role: "user", content: "x" }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.InternalServerError);
    expect((err as InstanceType<typeof Anthropic.APIError>).status).toBe(529);
    expect((err as InstanceType<typeof Anthropic.APIError>).type).toBe("overloaded_error");
    claude.behavior.next({ errorType: "overloaded_error" });
    const streamErr = await client.messages
      .stream({ model: "claude-test", max_tokens: 10, messages: [{ role: "user", content: "x" }] })
      .finalMessage()
      .catch((e: unknown) => e);
    expect(streamErr).toBeInstanceOf(Anthropic.APIError);
    expect((streamErr as InstanceType<typeof Anthropic.APIError>).type).toBe("overloaded_error");
  });
});

describe("/v1/messages errors use Anthropic's envelope", () => {
  it("a field of the wrong type is named as such, never as missing", async () => {
    const send = async (body: object | string) => {
      const r = await fetch(`${proxy.url}/v1/messages`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-api-key": "sk-router-team" },
        body: typeof body === "string" ? body : JSON.stringify(body),
      });
      return { status: r.status, message: ((await r.json()) as { error: { message: string } }).error.message };
    };
    const base = { model: "claude-test", max_tokens: 5, messages: [{ role: "user", content: "x" }] };
    const hot = await send({ ...base, temperature: "hot" });
    expect(hot.status).toBe(400);
    expect(hot.message).toMatch(/^Invalid type for 'temperature': expected number, received string/);
    // Nested as deep as a body may be (past MAX_JSON_DEPTH, 128, it is refused before parsing: below).
    const deep = `${"[".repeat(120)}${"]".repeat(120)}`;
    const nested = await send(`${JSON.stringify(base).slice(0, -1)},"metadata":${deep}}`);
    expect(nested.status).toBe(400);
    expect(nested.message).toMatch(/^Invalid type for 'metadata': expected/);
    expect(nested.message).not.toMatch(/Missing/);
    const tooDeep = await send(`${JSON.stringify(base).slice(0, -1)},"metadata":${"[".repeat(5000)}${"]".repeat(5000)}}`);
    expect(tooDeep).toEqual({ status: 400, message: "The request body nests arrays and objects deeper than 128 levels." });
    const { max_tokens: _omit, ...noMax } = base;
    expect((await send(noMax)).message).toBe("Missing required parameter: 'max_tokens'.");
  });

  it("unknown model: 404 not_found_error", async () => {
    const err = await client.messages
      .create({ model: "nope", max_tokens: 5, messages: [{ role: "user", content: "x" }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.NotFoundError);
    expect((err as InstanceType<typeof Anthropic.APIError>).error).toMatchObject({ type: "error", error: { type: "not_found_error" } });
  });

  it("missing or wrong key: 401 authentication_error", async () => {
    const res = await fetch(`${proxy.url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": "sk-wrong-key" },
      body: JSON.stringify({ model: "gpt-4o", max_tokens: 5, messages: [{ role: "user", content: "x" }] }),
    });
    expect(res.status).toBe(401);
    const body = (await res.json()) as { type: string; error: { type: string; message: string }; request_id: string };
    expect(body.type).toBe("error");
    expect(body.error.type).toBe("authentication_error");
    expect(body.request_id).toBe(res.headers.get("x-request-id"));
  });

  it("invalid body: 400 invalid_request_error naming the field", async () => {
    const err = await client.messages
      .create({ model: "gpt-4o", messages: [{ role: "user", content: "x" }] } as never)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.BadRequestError);
    expect((err as InstanceType<typeof Anthropic.APIError>).message).toContain("max_tokens");
  });

  it("an OpenAI upstream's 429 comes back as rate_limit_error", async () => {
    openai.behavior.next({ status: 429 });
    const err = await client.messages
      .create({ model: "gpt-4o", max_tokens: 5, messages: [{ role: "user", content: "x" }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.RateLimitError);
    expect((err as InstanceType<typeof Anthropic.APIError>).type).toBe("rate_limit_error");
  });
});
