import { type MockUpstream, startMockUpstream } from "@ai-router/testing";
import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { openAIConfig, startTestProxy, type TestProxy } from "./harness.js";

let up: MockUpstream;
let proxy: TestProxy;
let client: OpenAI;

beforeAll(async () => {
  up = await startMockUpstream();
  const cfg = openAIConfig([up.baseUrl], {
    model: { providers: [{ provider: "up0", model: "gpt-4o-2024-08-06", params: { temperature: 0.3 } }] },
  });
  (cfg.models as unknown[]).push({
    name: "embed",
    llm_type: "embedding",
    providers: [{ provider: "up0", model: "text-embedding-3-small" }],
  });
  proxy = await startTestProxy(cfg);
  client = new OpenAI({ baseURL: `${proxy.url}/v1`, apiKey: "unused", maxRetries: 0 });
});
afterAll(async () => {
  await proxy.close();
  await up.close();
});
beforeEach(() => {
  up.behavior.reset();
  up.requests.length = 0;
});

const tools = [
  {
    type: "function" as const,
    function: { name: "get_weather", description: "weather", parameters: { type: "object", properties: { city: { type: "string" } } } },
  },
  { type: "function" as const, function: { name: "get_time", parameters: { type: "object", properties: {} } } },
];

describe("the official openai client against the proxy", () => {
  it("chats, with the upstream model id, merged defaults and who-served-it headers", async () => {
    const { data, response } = await client.chat.completions
      .create({ model: "gpt-4o", messages: [{ role: "user", content: "hi" }], max_tokens: 50 })
      .withResponse();
    expect(data.choices[0]?.message.content).toBe("Echo: hi");
    expect(response.headers.get("x-router-provider")).toBe("up0");
    expect(response.headers.get("x-router-model")).toBe("gpt-4o-2024-08-06");
    expect(response.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    const sent = up.received("/chat/completions")[0]?.body as Record<string, unknown>;
    expect(sent).toMatchObject({ model: "gpt-4o-2024-08-06", temperature: 0.3, max_tokens: 50 });
    expect(up.received("/chat/completions")[0]?.headers.authorization).toBe("Bearer sk-test-key-0");
  });

  it("lets the client's own value win over a configured default", async () => {
    await client.chat.completions.create({ model: "gpt-4o", messages: [{ role: "user", content: "hi" }], temperature: 1.5 });
    expect((up.received("/chat/completions")[0]?.body as { temperature: number } | undefined)?.temperature).toBe(1.5);
  });

  it("streams chunk by chunk and ends with [DONE]", async () => {
    const stream = client.chat.completions.stream({ model: "gpt-4o", messages: [{ role: "user", content: "stream this" }] });
    let pieces = 0;
    stream.on("content", () => pieces++);
    const final = await stream.finalChatCompletion();
    expect(final.choices[0]?.message.content).toBe("Echo: stream this");
    expect(pieces).toBeGreaterThan(1);
    expect(final.usage ?? null).toBeNull(); // the client did not ask for usage: the router hides the one it requested
    const sent = up.received("/chat/completions")[0]?.body as { stream_options?: { include_usage?: boolean } };
    expect(sent.stream_options?.include_usage).toBe(true); // ...but asked upstream so no usage record is lost
  });

  it("honours stream_options.include_usage", async () => {
    const stream = client.chat.completions.stream({
      model: "gpt-4o",
      messages: [{ role: "user", content: "count me" }],
      stream_options: { include_usage: true },
    });
    const final = await stream.finalChatCompletion();
    expect(final.usage?.prompt_tokens).toBeGreaterThan(0);
    expect(final.usage?.total_tokens).toBe((final.usage?.prompt_tokens ?? 0) + (final.usage?.completion_tokens ?? 0));
  });

  it("passes tools through and back: a tool-call round trip", async () => {
    const first = await client.chat.completions.create({
      model: "gpt-4o",
      messages: [{ role: "user", content: "use get_weather" }],
      tools,
    });
    const call = first.choices[0]?.message.tool_calls?.[0];
    expect(first.choices[0]?.finish_reason).toBe("tool_calls");
    expect(call?.type === "function" && call.function.name).toBe("get_weather");
    const second = await client.chat.completions.create({
      model: "gpt-4o",
      tools,
      messages: [
        { role: "user", content: "use get_weather" },
        { role: "assistant", content: null, tool_calls: first.choices[0]?.message.tool_calls ?? [] },
        { role: "tool", tool_call_id: call?.id ?? "", content: "sunny, 21C" },
      ],
    });
    expect(second.choices[0]?.message.content).toBe("Tool said: sunny, 21C");
    expect((up.received("/chat/completions")[1]?.body as { tools: unknown[] } | undefined)?.tools).toEqual(tools);
  });

  it("streams parallel tool calls intact", async () => {
    const final = await client.chat.completions
      .stream({ model: "gpt-4o", messages: [{ role: "user", content: "get_weather and get_time" }], tools })
      .finalChatCompletion();
    const names = final.choices[0]?.message.tool_calls?.map((c) => (c.type === "function" ? c.function.name : ""));
    expect(names).toEqual(["get_weather", "get_time"]);
  });

  it("lists and retrieves models in OpenAI's format", async () => {
    const list = await client.models.list();
    expect(list.data.map((m) => m.id).sort()).toEqual(["embed", "gpt-4o"]);
    const m = await client.models.retrieve("gpt-4o");
    expect(m).toMatchObject({ id: "gpt-4o", object: "model", owned_by: "ai-router", providers_count: 1, permission: ["up0"] });
    await expect(client.models.retrieve("nope")).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });

  it("routes embeddings to an embedding model", async () => {
    const r = await client.embeddings.create({ model: "embed", input: "hello" });
    expect(r.data[0]?.embedding.length).toBeGreaterThan(0);
    expect((up.received("/embeddings")[0]?.body as { model: string } | undefined)?.model).toBe("text-embedding-3-small");
    await expect(client.embeddings.create({ model: "gpt-4o", input: "x" })).rejects.toBeInstanceOf(OpenAI.BadRequestError);
  });

  it("surfaces errors as the SDK's typed errors", async () => {
    const notFound = await client.chat.completions.create({ model: "missing", messages: [{ role: "user", content: "x" }] }).catch((e) => e);
    expect(notFound).toBeInstanceOf(OpenAI.NotFoundError);
    expect(notFound.code).toBe("model_not_found");
    up.behavior.next({ status: 400, message: "messages too long" });
    const bad = await client.chat.completions.create({ model: "gpt-4o", messages: [{ role: "user", content: "x" }] }).catch((e) => e);
    expect(bad).toBeInstanceOf(OpenAI.BadRequestError);
    expect(bad.message).toContain("messages too long");
    up.behavior.next({ status: 401, message: "Incorrect API key provided" });
    await expect(client.chat.completions.create({ model: "gpt-4o", messages: [{ role: "user", content: "x" }] })).rejects.toBeInstanceOf(
      OpenAI.AuthenticationError,
    );
  });
});
