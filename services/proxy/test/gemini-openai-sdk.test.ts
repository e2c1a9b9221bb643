import { type MockUpstream, startMockUpstream } from "@ai-router/testing";
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startTestProxy, type TestProxy } from "./harness.js";

// The openai SDK (and @anthropic-ai/sdk on /v1/messages) against models served by Gemini: every
// answer must look like the client's own API, and every upstream request like Gemini's.
let gemini: MockUpstream;
let backup: MockUpstream;
let proxy: TestProxy;
let client: OpenAI;

beforeAll(async () => {
  gemini = await startMockUpstream();
  backup = await startMockUpstream();
  const urls = [gemini.url, backup.url];
  proxy = await startTestProxy({
    // Failures must not cool the primary down between tests.
    server: { failure_threshold: 1000 },
    providers: urls.map((u, i) => ({
      name: `gemini${i}`,
      type: "gemini",
      base_url: `${u}/v1beta`,
      api_key: `AIza-up-${i}`,
      timeout_ms: 2000,
    })),
    models: [
      {
        name: "gemini-test",
        strategy: "fallback",
        providers: urls.map((_, i) => ({ provider: `gemini${i}`, model: "gemini-2.5-flash", priority: i })),
      },
      { name: "gemini-3-test", providers: [{ provider: "gemini0", model: "gemini-3-pro-preview" }] },
      { name: "gemini-strict", strict: true, providers: [{ provider: "gemini0", model: "gemini-2.5-flash" }] },
    ],
  });
  client = new OpenAI({ baseURL: `${proxy.url}/v1`, apiKey: "unused", maxRetries: 0 });
});
afterAll(async () => {
  await proxy.close();
  await gemini.close();
  await backup.close();
});
beforeEach(() => {
  gemini.behavior.reset();
  backup.behavior.reset();
  gemini.requests.length = 0;
  backup.requests.length = 0;
});

type Json = Record<string, any>;
const sent = (m = gemini) => m.requests.at(-1) as { path: string; model?: string; headers: Json; body: Json };
const weather = {
  type: "function" as const,
  function: {
    name: "get_weather",
    // What zod-based OpenAI helpers send: Gemini refuses additionalProperties and $schema.
    parameters: {
      $schema: "http://json-schema.org/draft-07/schema#",
      type: "object",
      additionalProperties: false,
      properties: { city: { type: "string" } },
    },
  },
};
const time = { type: "function" as const, function: { name: "get_time", parameters: { type: "object", properties: {} } } };

describe("openai SDK -> Gemini-served model", () => {
  it("chats: model in the path, key in x-goog-api-key, system lifted; the answer is an OpenAI chat.completion", async () => {
    const { data: r, response } = await client.chat.completions
      .create({
        model: "gemini-test",
        messages: [
          { role: "system", content: "Be brief." },
          { role: "user", content: "hello" },
        ],
        max_tokens: 100,
        temperature: 0.3,
      })
      .withResponse();
    expect(r.object).toBe("chat.completion");
    expect(r.model).toBe("gemini-2.5-flash");
    expect(r.choices[0]?.message).toMatchObject({ role: "assistant", content: "Echo: hello" });
    expect(r.choices[0]?.finish_reason).toBe("stop");
    expect(r.usage?.total_tokens).toBe((r.usage?.prompt_tokens ?? 0) + (r.usage?.completion_tokens ?? 0));
    expect(response.headers.get("x-router-provider")).toBe("gemini0");
    const req = sent();
    expect(req.path).toBe("/v1beta/models/gemini-2.5-flash:generateContent");
    expect(req.model).toBe("gemini-2.5-flash");
    expect(req.headers["x-goog-api-key"]).toBe("AIza-up-0");
    expect(req.headers.authorization).toBeUndefined();
    expect(req.body).toEqual({
      contents: [{ role: "user", parts: [{ text: "hello" }] }],
      systemInstruction: { parts: [{ text: "Be brief." }] },
      generationConfig: { temperature: 0.3, maxOutputTokens: 100 },
    });
  });

  it("streams chunks that stream.finalChatCompletion() assembles, with usage when asked", async () => {
    const stream = client.chat.completions.stream({
      model: "gemini-test",
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
    expect(sent().path).toBe("/v1beta/models/gemini-2.5-flash:streamGenerateContent");
  });

  it("streams without a usage chunk when none was asked for, ending with [DONE]", async () => {
    const res = await fetch(`${proxy.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "gemini-test", stream: true, messages: [{ role: "user", content: "hi" }] }),
    });
    const text = await res.text();
    expect(text).not.toContain('"usage"');
    expect(text.trimEnd().endsWith("data: [DONE]")).toBe(true);
  });

  it("round-trips parallel tool calls: streamed with indexes 0 and 1, results sent back as functionResponse parts", async () => {
    const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: "user", content: "call get_weather and get_time" }];
    const stream = client.chat.completions.stream({ model: "gemini-test", messages, tools: [weather, time] });
    const indexes: number[] = [];
    stream.on("chunk", (c) => {
      for (const t of c.choices[0]?.delta.tool_calls ?? []) indexes.push(t.index);
    });
    const first = await stream.finalChatCompletion();
    expect(first.choices[0]?.finish_reason).toBe("tool_calls");
    expect(indexes).toEqual([0, 1]);
    const calls = (first.choices[0]?.message.tool_calls ?? []).flatMap((c) => (c.type === "function" ? [c] : []));
    expect(calls.map((c) => c.function.name)).toEqual(["get_weather", "get_time"]);
    expect(JSON.parse(calls[1]?.function.arguments ?? "")).toEqual({ query: "call get_weather and get_time", n: 1 });
    expect(sent().body.tools).toEqual([
      {
        functionDeclarations: [
          { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } },
          { name: "get_time" },
        ],
      },
    ]);

    messages.push({ role: "assistant", content: null, tool_calls: first.choices[0]?.message.tool_calls ?? [] });
    messages.push({ role: "tool", tool_call_id: calls[0]?.id ?? "", content: '{"temp":21}' });
    messages.push({ role: "tool", tool_call_id: calls[1]?.id ?? "", content: "noon" });
    const second = await client.chat.completions.create({ model: "gemini-test", messages, tools: [weather, time] });
    expect(second.choices[0]?.message.content).toBe('Tool said: {"temp":21} {"content":"noon"}');
    const contents = sent().body.contents as Json[];
    expect(contents.map((c) => c.role)).toEqual(["user", "model", "user"]);
    expect(contents[2]?.parts.map((p: Json) => p.functionResponse.name)).toEqual(["get_weather", "get_time"]);
  });

  it("forces a named tool with ANY + allowedFunctionNames; the call comes back as a JSON string", async () => {
    const r = await client.chat.completions.create({
      model: "gemini-test",
      messages: [{ role: "user", content: "anything" }],
      tools: [weather, time],
      tool_choice: { type: "function", function: { name: "get_time" } },
    });
    const call = r.choices[0]?.message.tool_calls?.[0];
    expect(call?.type === "function" && call.function.name).toBe("get_time");
    expect(call?.id).toMatch(/^call_/);
    expect(r.choices[0]?.message.content).toBeNull();
    expect(sent().body.toolConfig).toEqual({ functionCallingConfig: { mode: "ANY", allowedFunctionNames: ["get_time"] } });
  });

  it("Gemini 3: the thought signature rides on the tool call and goes back, so the next turn is accepted", async () => {
    const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: "user", content: "get_weather please" }];
    const first = await client.chat.completions.create({ model: "gemini-3-test", messages, tools: [weather] });
    const msg = first.choices[0]?.message as OpenAI.ChatCompletionMessage;
    const signature = (msg.tool_calls?.[0] as unknown as Json | undefined)?.extra_content?.google?.thought_signature;
    expect(signature).toMatch(/^sig_/);
    messages.push(msg, { role: "tool", tool_call_id: msg.tool_calls?.[0]?.id ?? "", content: "sunny" });
    const second = await client.chat.completions.create({ model: "gemini-3-test", messages, tools: [weather] });
    expect(second.choices[0]?.message.content).toBe('Tool said: {"content":"sunny"}');
    expect((sent().body.contents as Json[])[1]?.parts[0].thoughtSignature).toBe(signature);

    // A history from elsewhere (no signature) still passes: the documented placeholder is sent.
    const foreign = messages.map((m) =>
      m.role === "assistant" ? { ...m, tool_calls: m.tool_calls?.map(({ id, type, function: f }) => ({ id, type, function: f })) } : m,
    );
    const third = await client.chat.completions.create({
      model: "gemini-3-test",
      messages: foreign as OpenAI.ChatCompletionMessageParam[],
      tools: [weather],
    });
    expect(third.choices[0]?.finish_reason).toBe("stop");
    expect((sent().body.contents as Json[])[1]?.parts[0].thoughtSignature).toBe("skip_thought_signature_validator");
  });

  it("maps reasoning_effort to thinkingConfig, thoughts back to reasoning_content (JSON and stream)", async () => {
    const params = { model: "gemini-test", messages: [{ role: "user" as const, content: "think" }], reasoning_effort: "low" as const };
    const r = await client.chat.completions.create(params);
    expect((r.choices[0]?.message as unknown as Json | undefined)?.reasoning_content).toBe("Let me think about that.");
    expect(r.choices[0]?.message.content).toBe("Echo: think");
    expect(r.usage?.completion_tokens_details?.reasoning_tokens).toBe(6);
    expect(sent().body.generationConfig).toEqual({ thinkingConfig: { includeThoughts: true, thinkingBudget: 1024 } });
    const stream = await client.chat.completions.create({ ...params, stream: true });
    let reasoning = "";
    for await (const c of stream) reasoning += (c.choices[0]?.delta as Json | undefined)?.reasoning_content ?? "";
    expect(reasoning).toBe("Let me think about that.");
  });

  it("sends images as inlineData (data URL) and fileData (URL)", async () => {
    await client.chat.completions.create({
      model: "gemini-test",
      messages: [
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
    expect((sent().body.contents as Json[])[0]?.parts.slice(1)).toEqual([
      { inlineData: { mimeType: "image/png", data: "iVBORw0KGgo=" } },
      { fileData: { mimeType: "image/jpeg", fileUri: "https://example.com/cat.jpg" } },
    ]);
  });

  it("json_schema structured output -> responseJsonSchema; the answer parses", async () => {
    const schema = { type: "object", properties: { echo: { type: "string" } }, required: ["echo"], additionalProperties: false };
    const r = await client.chat.completions.create({
      model: "gemini-test",
      messages: [{ role: "user", content: "json" }],
      response_format: { type: "json_schema", json_schema: { name: "e", schema, strict: true } },
    });
    expect(JSON.parse(r.choices[0]?.message.content ?? "")).toEqual({ echo: "json" });
    expect(sent().body.generationConfig).toEqual({ responseMimeType: "application/json", responseJsonSchema: schema });
  });

  it("names fields Gemini cannot carry in x-router-warnings; a strict model answers 400 instead", async () => {
    const body = { messages: [{ role: "user" as const, content: "hi" }], logit_bias: { "50256": -100 }, user: "u-1" };
    const { response } = await client.chat.completions.create({ model: "gemini-test", ...body }).withResponse();
    expect(response.headers.get("x-router-warnings")).toBe("dropped:logit_bias, dropped:user");
    const before = gemini.requests.length;
    const err = await client.chat.completions.create({ model: "gemini-strict", ...body }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect((err as InstanceType<typeof OpenAI.APIError>).message).toContain("logit_bias");
    expect(gemini.requests.length).toBe(before);
  });

  it("answers a blocked prompt as finish_reason content_filter", async () => {
    const r = await client.chat.completions.create({ model: "gemini-test", messages: [{ role: "user", content: "[blocked] x" }] });
    expect(r.choices[0]?.finish_reason).toBe("content_filter");
    expect(r.choices[0]?.message.content).toBeNull();
  });
});

describe("openai SDK -> Gemini errors and failover", () => {
  const hi = { model: "gemini-test", messages: [{ role: "user" as const, content: "hi" }] };
  const fail = (e: unknown) => e as InstanceType<typeof OpenAI.APIError>;

  it.each([
    [400, "INVALID_ARGUMENT", OpenAI.BadRequestError],
    [403, "PERMISSION_DENIED", OpenAI.PermissionDeniedError],
    [404, "NOT_FOUND", OpenAI.NotFoundError],
  ])("a %i is not retried and surfaces as a typed SDK error with Gemini's message and status name", async (status, name, type) => {
    gemini.behavior.next({ status, message: `gemini says ${name}` });
    const err = await client.chat.completions.create(hi).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(type);
    expect(fail(err).status).toBe(status);
    expect(fail(err).message).toContain(`gemini says ${name}`);
    expect(fail(err).code).toBe(name);
    expect(backup.requests).toHaveLength(0);
  });

  it("a request Gemini itself refuses comes back as 400 with its validation message", async () => {
    const err = await client.chat.completions
      .create({ model: "gemini-test", messages: [{ role: "system", content: "only a system message" }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect(fail(err).message).toContain("contents is not specified");
  });

  it.each([429, 503, 500, 504])("fails over on %i to the second provider", async (status) => {
    gemini.behavior.next({ status });
    const r = await client.chat.completions.create(hi).withResponse();
    expect(r.data.choices[0]?.message.content).toBe("Echo: hi");
    expect(r.response.headers.get("x-router-provider")).toBe("gemini1");
    expect(r.response.headers.get("x-router-attempts")).toBe("2");
  });

  it("answers exhausted capacity as 503 UNAVAILABLE when every provider is overloaded", async () => {
    gemini.behavior.next({ status: 503 });
    backup.behavior.next({ status: 503 });
    const err = await client.chat.completions.create(hi).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.InternalServerError);
    expect(fail(err).status).toBe(503);
    expect(fail(err).code).toBe("UNAVAILABLE");
    expect(fail(err).message).toContain("overloaded");
  });

  it("fails over when the stream fails in-band before any byte reached the client", async () => {
    gemini.behavior.next({ errorType: "UNAVAILABLE" });
    const final = await client.chat.completions
      .stream({ model: "gemini-test", messages: [{ role: "user", content: "retry me" }] })
      .finalChatCompletion();
    expect(final.choices[0]?.message.content).toBe("Echo: retry me");
    expect(backup.requests).toHaveLength(1);
  });
});

describe("@anthropic-ai/sdk on /v1/messages -> Gemini-served model (translated through OpenAI's format)", () => {
  let anthropic: Anthropic;
  beforeAll(() => {
    anthropic = new Anthropic({ baseURL: proxy.url, apiKey: "unused", maxRetries: 0 });
  });

  it("messages.create and messages.stream answer as Anthropic, usage included", async () => {
    const m = await anthropic.messages.create({
      model: "gemini-test",
      max_tokens: 200,
      system: "Be brief.",
      messages: [{ role: "user", content: "hello" }],
    });
    expect(m.content).toEqual([{ type: "text", text: "Echo: hello" }]);
    expect(m.stop_reason).toBe("end_turn");
    expect(m.usage.input_tokens).toBeGreaterThan(0);
    expect(sent().body).toMatchObject({
      systemInstruction: { parts: [{ text: "Be brief." }] },
      generationConfig: { maxOutputTokens: 200 },
    });
    const final = await anthropic.messages
      .stream({ model: "gemini-test", max_tokens: 200, messages: [{ role: "user", content: "stream me" }] })
      .finalMessage();
    expect(final.content).toEqual([{ type: "text", text: "Echo: stream me" }]);
    expect(final.usage.output_tokens).toBeGreaterThan(0);
  });

  it("round-trips tool use: tool_use blocks out, tool_result blocks back as functionResponse parts", async () => {
    const tool = { name: "get_weather", input_schema: { type: "object" as const, properties: { city: { type: "string" } } } };
    const messages: Anthropic.MessageParam[] = [{ role: "user", content: "get_weather now" }];
    const first = await anthropic.messages.stream({ model: "gemini-test", max_tokens: 200, tools: [tool], messages }).finalMessage();
    expect(first.stop_reason).toBe("tool_use");
    const use = first.content.find((b) => b.type === "tool_use");
    expect(use?.type === "tool_use" && use.name).toBe("get_weather");
    messages.push({ role: "assistant", content: first.content });
    messages.push({
      role: "user",
      content: [{ type: "tool_result", tool_use_id: use?.type === "tool_use" ? use.id : "", content: "sunny" }],
    });
    const second = await anthropic.messages.create({ model: "gemini-test", max_tokens: 200, tools: [tool], messages });
    expect(second.content).toEqual([{ type: "text", text: 'Tool said: {"content":"sunny"}' }]);
  });
});
