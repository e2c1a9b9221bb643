import Anthropic from "@anthropic-ai/sdk";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type MockUpstream, startMockUpstream } from "./server.js";

// The mock must be indistinguishable from Anthropic to the official client: if the SDK parses it,
// tests that use it speak the real wire format.
let mock: MockUpstream;
let client: Anthropic;
beforeAll(async () => {
  mock = await startMockUpstream();
  client = new Anthropic({ baseURL: mock.url, apiKey: "sk-ant-test", maxRetries: 0 });
});
afterAll(() => mock.close());
beforeEach(() => mock.behavior.reset());

const weather = {
  name: "get_weather",
  description: "Weather",
  input_schema: { type: "object" as const, properties: { city: { type: "string" } } },
};
const time = { name: "get_time", input_schema: { type: "object" as const, properties: {} } };

describe("mock Anthropic upstream, parsed by the official @anthropic-ai/sdk client", () => {
  it("answers messages.create with a text block, stop_reason and usage; checks the SDK's headers", async () => {
    const m = await client.messages.create({ model: "claude-test", max_tokens: 100, messages: [{ role: "user", content: "hello" }] });
    expect(m.type).toBe("message");
    expect(m.content).toEqual([{ type: "text", text: "Echo: hello" }]);
    expect(m.stop_reason).toBe("end_turn");
    expect(m.usage.input_tokens).toBeGreaterThan(0);
    expect(m.usage.output_tokens).toBeGreaterThan(0);
    const req = mock.received("/v1/messages")[0];
    expect(req?.headers.authorization).toBe("Bearer sk-ant-test");
    expect(req?.headers["anthropic-version"]).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it("streams events that messages.stream().finalMessage() assembles, text deltas included", async () => {
    const stream = client.messages.stream({
      model: "claude-test",
      max_tokens: 100,
      messages: [{ role: "user", content: "stream me please" }],
    });
    const deltas: string[] = [];
    stream.on("text", (t) => deltas.push(t));
    const final = await stream.finalMessage();
    expect(deltas.length).toBeGreaterThan(1);
    expect(final.content).toEqual([{ type: "text", text: "Echo: stream me please" }]);
    expect(final.stop_reason).toBe("end_turn");
    expect(final.usage.output_tokens).toBeGreaterThan(1);
  });

  it("calls every tool the user names, in one turn, streamed as input_json_delta", async () => {
    const stream = client.messages.stream({
      model: "claude-test",
      max_tokens: 100,
      tools: [weather, time],
      messages: [{ role: "user", content: "call get_weather and get_time" }],
    });
    const final = await stream.finalMessage();
    const uses = final.content.filter((b) => b.type === "tool_use");
    expect(uses.map((u) => u.name)).toEqual(["get_weather", "get_time"]);
    expect(uses[1]?.input).toEqual({ query: "call get_weather and get_time", n: 1 });
    expect(final.stop_reason).toBe("tool_use");
  });

  it("answers a tool result in text, and rejects a tool_use left without its result", async () => {
    const first = await client.messages.create({
      model: "claude-test",
      max_tokens: 100,
      tools: [weather],
      messages: [{ role: "user", content: "weather?" }],
    });
    const use = first.content.find((b) => b.type === "tool_use");
    if (use?.type !== "tool_use") throw new Error("expected a tool_use block");
    const second = await client.messages.create({
      model: "claude-test",
      max_tokens: 100,
      tools: [weather],
      messages: [
        { role: "user", content: "weather?" },
        { role: "assistant", content: first.content },
        { role: "user", content: [{ type: "tool_result", tool_use_id: use.id, content: "sunny" }] },
      ],
    });
    expect(second.content).toEqual([{ type: "text", text: "Tool said: sunny" }]);
    await expect(
      client.messages.create({
        model: "claude-test",
        max_tokens: 100,
        messages: [
          { role: "user", content: "weather?" },
          { role: "assistant", content: first.content },
          { role: "user", content: "no result" },
        ],
      }),
    ).rejects.toBeInstanceOf(Anthropic.BadRequestError);
  });

  it("returns a signed thinking block when thinking is enabled, in JSON and in the stream", async () => {
    const params = {
      model: "claude-test",
      max_tokens: 2048,
      thinking: { type: "enabled" as const, budget_tokens: 1024 },
      messages: [{ role: "user" as const, content: "think" }],
    };
    const m = await client.messages.create(params);
    const streamed = await client.messages.stream(params).finalMessage();
    for (const msg of [m, streamed]) {
      expect(msg.content[0]).toMatchObject({ type: "thinking", thinking: "Let me think about that." });
      expect((msg.content[0] as { signature: string }).signature).toMatch(/^sig_/);
    }
  });

  it("reports cache reads for blocks marked cache_control", async () => {
    const m = await client.messages.create({
      model: "claude-test",
      max_tokens: 100,
      system: [{ type: "text", text: "a long system prompt ".repeat(20), cache_control: { type: "ephemeral" } }],
      messages: [{ role: "user", content: "hi" }],
    });
    expect(m.usage.cache_read_input_tokens).toBeGreaterThan(100);
  });

  it("counts tokens", async () => {
    const r = await client.messages.countTokens({
      model: "claude-test",
      messages: [{ role: "user", content: "count these words please" }],
    });
    expect(r.input_tokens).toBeGreaterThan(0);
  });

  it("fails as typed SDK errors: 429 rate limit, 529 overloaded, 401, 400", async () => {
    const ask = () => client.messages.create({ model: "claude-test", max_tokens: 10, messages: [{ role: "user", content: "x" }] });
    mock.behavior.next({ status: 429 });
    await expect(ask()).rejects.toBeInstanceOf(Anthropic.RateLimitError);
    mock.behavior.next({ status: 529 });
    const overloaded = await ask().catch((e: unknown) => e);
    expect(overloaded).toBeInstanceOf(Anthropic.InternalServerError);
    expect((overloaded as InstanceType<typeof Anthropic.APIError>).status).toBe(529);
    expect((overloaded as InstanceType<typeof Anthropic.APIError>).type).toBe("overloaded_error");
    // No key at all: the header must be explicitly omitted for the SDK to send the request.
    const noKey = new Anthropic({ baseURL: mock.url, apiKey: null, maxRetries: 0, defaultHeaders: { authorization: null } });
    await expect(noKey.messages.create({ model: "m", max_tokens: 5, messages: [{ role: "user", content: "x" }] })).rejects.toBeInstanceOf(
      Anthropic.AuthenticationError,
    );
    // max_tokens missing: cast past the SDK's types to send what a broken translator would.
    await expect(client.messages.create({ model: "m", messages: [{ role: "user", content: "x" }] } as never)).rejects.toBeInstanceOf(
      Anthropic.BadRequestError,
    );
  });

  it("fails a stream in-band with an error event the SDK raises", async () => {
    mock.behavior.next({ errorType: "overloaded_error" });
    const stream = client.messages.stream({ model: "claude-test", max_tokens: 10, messages: [{ role: "user", content: "x" }] });
    const err = await stream.finalMessage().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.APIError);
    expect((err as InstanceType<typeof Anthropic.APIError>).type).toBe("overloaded_error");
  });
});
