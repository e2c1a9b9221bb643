import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type MockUpstream, startMockUpstream } from "./server.js";

// The mock must be indistinguishable from OpenAI to the official client: if the SDK parses it,
// tests that use it speak the real wire format.
let mock: MockUpstream;
let client: OpenAI;
beforeAll(async () => {
  mock = await startMockUpstream();
  client = new OpenAI({ baseURL: mock.baseUrl, apiKey: "sk-test", maxRetries: 0 });
});
afterAll(() => mock.close());
beforeEach(() => mock.behavior.reset());

const weather = {
  type: "function" as const,
  function: { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } },
};
const time = { type: "function" as const, function: { name: "get_time", parameters: { type: "object", properties: {} } } };

describe("mock OpenAI upstream, parsed by the official openai client", () => {
  it("answers chat completions with usage", async () => {
    const r = await client.chat.completions.create({ model: "gpt-4o", messages: [{ role: "user", content: "hello" }] });
    expect(r.object).toBe("chat.completion");
    expect(r.choices[0]?.message.content).toBe("Echo: hello");
    expect(r.choices[0]?.finish_reason).toBe("stop");
    expect(r.usage?.total_tokens).toBe((r.usage?.prompt_tokens ?? 0) + (r.usage?.completion_tokens ?? 0));
    expect(mock.received("/chat/completions")[0]?.headers.authorization).toBe("Bearer sk-test");
  });

  it("streams chunks the SDK assembles, with usage when asked", async () => {
    const stream = client.chat.completions.stream({
      model: "gpt-4o",
      messages: [{ role: "user", content: "stream me please" }],
      stream_options: { include_usage: true },
    });
    const deltas: string[] = [];
    stream.on("content", (d) => deltas.push(d));
    const final = await stream.finalChatCompletion();
    expect(deltas.length).toBeGreaterThan(1);
    expect(final.choices[0]?.message.content).toBe("Echo: stream me please");
    expect(final.usage?.completion_tokens).toBeGreaterThan(0);
  });

  it("streams parallel tool calls with correct indexes", async () => {
    const stream = client.chat.completions.stream({
      model: "gpt-4o",
      messages: [{ role: "user", content: "call get_weather and get_time" }],
      tools: [weather, time],
    });
    const final = await stream.finalChatCompletion();
    const calls = final.choices[0]?.message.tool_calls ?? [];
    expect(calls.map((c) => (c.type === "function" ? c.function.name : ""))).toEqual(["get_weather", "get_time"]);
    for (const c of calls) if (c.type === "function") expect(() => JSON.parse(c.function.arguments)).not.toThrow();
    expect(final.choices[0]?.finish_reason).toBe("tool_calls");
  });

  it("fails in the ways it is told to, as typed SDK errors", async () => {
    mock.behavior.next({ status: 429, message: "slow down" });
    await expect(client.chat.completions.create({ model: "gpt-4o", messages: [{ role: "user", content: "x" }] })).rejects.toBeInstanceOf(
      OpenAI.RateLimitError,
    );
    mock.behavior.next({ status: 400, message: "bad thing" });
    const err = await client.chat.completions.create({ model: "gpt-4o", messages: [{ role: "user", content: "x" }] }).catch((e) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect(err.message).toContain("bad thing");
  });

  it("cuts a stream mid-way", async () => {
    mock.behavior.next({ cutAfterChunks: 2 });
    const stream = await client.chat.completions.create({
      model: "gpt-4o",
      messages: [{ role: "user", content: "a long answer" }],
      stream: true,
    });
    const got: unknown[] = [];
    await expect(
      (async () => {
        for await (const c of stream) got.push(c);
      })(),
    ).rejects.toThrow();
    expect(got.length).toBe(2);
  });

  it("lists models and embeds", async () => {
    const models = await client.models.list();
    expect(models.data.map((m) => m.id)).toContain("gpt-4o");
    const emb = await client.embeddings.create({ model: "text-embedding-3-small", input: ["a", "b"] });
    expect(emb.data).toHaveLength(2);
    expect(emb.usage.prompt_tokens).toBeGreaterThan(0);
  });

  it("refuses connections after refuse() and serves again after accept()", async () => {
    await mock.refuse();
    await expect(client.models.list()).rejects.toBeInstanceOf(OpenAI.APIConnectionError);
    await mock.accept();
    expect((await client.models.list()).data.length).toBeGreaterThan(0);
  });
});
