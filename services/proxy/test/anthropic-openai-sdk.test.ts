import { type MockUpstream, startMockUpstream } from "@ai-router/testing";
import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startTestProxy, type TestProxy } from "./harness.js";

// The openai SDK against a model served by Anthropic: every answer must look like OpenAI's own.
let claude: MockUpstream;
let backup: MockUpstream;
let proxy: TestProxy;
let client: OpenAI;

function anthropicConfig(urls: string[], model: Record<string, unknown> = {}) {
  return {
    // Failures must not cool the primary down between tests.
    server: { failure_threshold: 1000 },
    providers: urls.map((u, i) => ({ name: `claude${i}`, type: "anthropic", base_url: u, api_key: `sk-ant-up-${i}`, timeout_ms: 2000 })),
    models: [
      {
        name: "claude-test",
        strategy: "fallback",
        providers: urls.map((_, i) => ({ provider: `claude${i}`, model: "claude-upstream-1", priority: i })),
        ...model,
      },
      { name: "claude-strict", strict: true, providers: [{ provider: "claude0", model: "claude-upstream-1" }] },
    ],
  };
}

beforeAll(async () => {
  claude = await startMockUpstream();
  backup = await startMockUpstream();
  proxy = await startTestProxy(anthropicConfig([claude.url, backup.url]));
  client = new OpenAI({ baseURL: `${proxy.url}/v1`, apiKey: "unused", maxRetries: 0 });
});
afterAll(async () => {
  await proxy.close();
  await claude.close();
  await backup.close();
});
beforeEach(() => {
  claude.behavior.reset();
  backup.behavior.reset();
  claude.requests.length = 0;
  backup.requests.length = 0;
});

const upstreamBody = (m = claude) => m.received("/v1/messages").at(-1)?.body as Record<string, unknown>;
const weather = {
  type: "function" as const,
  function: { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } },
};
const time = { type: "function" as const, function: { name: "get_time", parameters: { type: "object", properties: {} } } };

describe("openai SDK -> Anthropic-served model", () => {
  it("chats: system lifted, default max_tokens, Anthropic headers; the answer is an OpenAI chat.completion", async () => {
    const r = await client.chat.completions.create({
      model: "claude-test",
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "hello" },
      ],
      user: "user-42",
    });
    expect(r.object).toBe("chat.completion");
    expect(r.choices[0]?.message).toMatchObject({ role: "assistant", content: "Echo: hello" });
    expect(r.choices[0]?.finish_reason).toBe("stop");
    expect(r.usage?.total_tokens).toBe((r.usage?.prompt_tokens ?? 0) + (r.usage?.completion_tokens ?? 0));
    expect(upstreamBody()).toEqual({
      model: "claude-upstream-1",
      max_tokens: 4096,
      system: "Be brief.",
      messages: [{ role: "user", content: "hello" }],
      metadata: { user_id: "user-42" },
    });
    const headers = claude.received("/v1/messages").at(-1)?.headers;
    expect(headers?.["x-api-key"]).toBe("sk-ant-up-0");
    expect(headers?.["anthropic-version"]).toBe("2023-06-01");
    expect(headers?.authorization).toBeUndefined();
  });

  it("passes anthropic-beta through when the client sends it", async () => {
    await client.chat.completions.create(
      { model: "claude-test", messages: [{ role: "user", content: "hi" }] },
      { headers: { "anthropic-beta": "prompt-caching-2024-07-31" } },
    );
    expect(claude.received("/v1/messages").at(-1)?.headers["anthropic-beta"]).toBe("prompt-caching-2024-07-31");
  });

  it("streams chunks that stream.finalChatCompletion() assembles, with usage when asked", async () => {
    const stream = client.chat.completions.stream({
      model: "claude-test",
      messages: [{ role: "user", content: "stream me please" }],
      stream_options: { include_usage: true },
    });
    const deltas: string[] = [];
    stream.on("content", (d) => deltas.push(d));
    const final = await stream.finalChatCompletion();
    expect(deltas.length).toBeGreaterThan(1);
    expect(final.choices[0]?.message.content).toBe("Echo: stream me please");
    expect(final.choices[0]?.finish_reason).toBe("stop");
    expect(final.usage?.completion_tokens).toBeGreaterThan(0);
    expect(final.usage?.prompt_tokens).toBeGreaterThan(0);
  });

  it("streams without a usage chunk when none was asked for", async () => {
    const res = await fetch(`${proxy.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "claude-test", stream: true, messages: [{ role: "user", content: "hi" }] }),
    });
    const text = await res.text();
    expect(text).not.toContain('"usage"');
    expect(text.trimEnd().endsWith("data: [DONE]")).toBe(true);
  });

  it("round-trips parallel tool calls: streamed with indexes 0 and 1, results merged into one user turn", async () => {
    const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: "user", content: "call get_weather and get_time" }];
    const stream = client.chat.completions.stream({ model: "claude-test", messages, tools: [weather, time] });
    const indexes = new Set<number>();
    stream.on("chunk", (c) => {
      for (const t of c.choices[0]?.delta.tool_calls ?? []) indexes.add(t.index);
    });
    const first = await stream.finalChatCompletion();
    const msg = first.choices[0]?.message;
    expect(first.choices[0]?.finish_reason).toBe("tool_calls");
    expect([...indexes]).toEqual([0, 1]);
    const calls = (msg?.tool_calls ?? []).flatMap((c) => (c.type === "function" ? [c] : []));
    expect(calls.map((c) => c.function.name)).toEqual(["get_weather", "get_time"]);
    expect(JSON.parse(calls[1]?.function.arguments ?? "")).toEqual({ query: "call get_weather and get_time", n: 1 });

    messages.push({ role: "assistant", content: null, tool_calls: msg?.tool_calls ?? [] });
    for (const c of calls) messages.push({ role: "tool", tool_call_id: c.id, content: `${c.function.name}: ok` });
    const second = await client.chat.completions.create({ model: "claude-test", messages, tools: [weather, time] });
    expect(second.choices[0]?.message.content).toBe("Tool said: get_weather: ok get_time: ok");
    const sent = upstreamBody().messages as { role: string; content: { type: string; tool_use_id?: string }[] }[];
    expect(sent.map((m) => m.role)).toEqual(["user", "assistant", "user"]);
    expect(sent[2]?.content.map((b) => [b.type, b.tool_use_id])).toEqual(calls.map((c) => ["tool_result", c.id]));
  });

  it("maps a non-streamed tool call: arguments as a JSON string, finish_reason tool_calls, tool_choice forced", async () => {
    const r = await client.chat.completions.create({
      model: "claude-test",
      messages: [{ role: "user", content: "anything" }],
      tools: [weather, time],
      tool_choice: { type: "function", function: { name: "get_time" } },
      parallel_tool_calls: false,
    });
    const call = r.choices[0]?.message.tool_calls?.[0];
    expect(call?.type === "function" && call.function.name).toBe("get_time");
    expect(call?.type === "function" && typeof call.function.arguments).toBe("string");
    expect(r.choices[0]?.message.content).toBeNull();
    expect(r.choices[0]?.finish_reason).toBe("tool_calls");
    expect(upstreamBody().tool_choice).toEqual({ type: "tool", name: "get_time", disable_parallel_tool_use: true });
  });

  it("maps reasoning_effort to thinking, and thinking back to reasoning_content (JSON and stream)", async () => {
    const params = { model: "claude-test", messages: [{ role: "user" as const, content: "think" }], reasoning_effort: "low" as const };
    const r = await client.chat.completions.create(params);
    expect((r.choices[0]?.message as unknown as { reasoning_content?: string } | undefined)?.reasoning_content).toBe(
      "Let me think about that.",
    );
    expect(upstreamBody().thinking).toEqual({ type: "enabled", budget_tokens: 1024 });
    const stream = await client.chat.completions.create({ ...params, stream: true });
    let reasoning = "";
    for await (const c of stream) reasoning += (c.choices[0]?.delta as { reasoning_content?: string } | undefined)?.reasoning_content ?? "";
    expect(reasoning).toBe("Let me think about that.");
  });

  it("sends images as base64 and url blocks, keeps cache_control, reports cached tokens", async () => {
    const r = await client.chat.completions.create({
      model: "claude-test",
      messages: [
        {
          role: "system",
          content: [{ type: "text", text: "long instructions ".repeat(30), cache_control: { type: "ephemeral" } } as never],
        },
        {
          role: "user",
          content: [
            { type: "text", text: "what is in these?" },
            { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=" } },
            { type: "image_url", image_url: { url: "https://example.com/cat.jpg" } },
          ],
        },
      ],
    });
    const body = upstreamBody();
    expect(body.system).toEqual([{ type: "text", text: "long instructions ".repeat(30), cache_control: { type: "ephemeral" } }]);
    expect((body.messages as { content: unknown[] }[])[0]?.content.slice(1)).toEqual([
      { type: "image", source: { type: "base64", media_type: "image/png", data: "iVBORw0KGgo=" } },
      { type: "image", source: { type: "url", url: "https://example.com/cat.jpg" } },
    ]);
    expect(r.usage?.prompt_tokens_details?.cached_tokens).toBeGreaterThan(100);
    expect(r.usage?.prompt_tokens).toBeGreaterThan(r.usage?.prompt_tokens_details?.cached_tokens ?? 0);
  });

  it("names fields Anthropic cannot carry in x-router-warnings; a strict model answers 400 instead", async () => {
    const body = { messages: [{ role: "user" as const, content: "hi" }], presence_penalty: 0.5, seed: 7 };
    const { response } = await client.chat.completions.create({ model: "claude-test", ...body }).withResponse();
    expect(response.headers.get("x-router-warnings")).toBe("dropped:presence_penalty, dropped:seed");
    const before = claude.received("/v1/messages").length;
    const err = await client.chat.completions.create({ model: "claude-strict", ...body }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect((err as InstanceType<typeof OpenAI.APIError>).message).toContain("presence_penalty");
    expect(claude.received("/v1/messages").length).toBe(before);
  });

  it("fails over on 529 overloaded and on 429; a 400 is not retried", async () => {
    claude.behavior.next({ status: 529 });
    const r = await client.chat.completions.create({ model: "claude-test", messages: [{ role: "user", content: "hi" }] }).withResponse();
    expect(r.response.headers.get("x-router-provider")).toBe("claude1");
    expect(r.response.headers.get("x-router-attempts")).toBe("2");
    claude.behavior.next({ status: 429 });
    const r2 = await client.chat.completions.create({ model: "claude-test", messages: [{ role: "user", content: "hi" }] }).withResponse();
    expect(r2.response.headers.get("x-router-provider")).toBe("claude1");
    claude.behavior.next({ status: 400, message: "messages: bad" });
    const err = await client.chat.completions
      .create({ model: "claude-test", messages: [{ role: "user", content: "hi" }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect((err as InstanceType<typeof OpenAI.APIError>).message).toContain("messages: bad");
    expect(backup.received("/v1/messages").length).toBe(2);
  });

  it("answers an exhausted overload as OpenAI's 503 with code overloaded_error", async () => {
    claude.behavior.next({ status: 529 });
    backup.behavior.next({ status: 529 });
    const err = await client.chat.completions
      .create({ model: "claude-test", messages: [{ role: "user", content: "hi" }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.InternalServerError);
    expect((err as InstanceType<typeof OpenAI.APIError>).status).toBe(503);
    expect((err as InstanceType<typeof OpenAI.APIError>).code).toBe("overloaded_error");
  });

  it("fails over when the stream fails in-band before any byte reached the client", async () => {
    claude.behavior.next({ errorType: "overloaded_error" });
    const stream = client.chat.completions.stream({ model: "claude-test", messages: [{ role: "user", content: "retry me" }] });
    const final = await stream.finalChatCompletion();
    expect(final.choices[0]?.message.content).toBe("Echo: retry me");
    expect(backup.received("/v1/messages").length).toBe(1);
  });
});
