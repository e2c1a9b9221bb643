import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { beforeAll, describe, expect, it } from "vitest";
import { backup, client, gemini, proxy, sent, useGeminiWorld } from "./gemini-openai-sdk-setup.js";

// The openai SDK against Gemini errors and failover, and @anthropic-ai/sdk on /v1/messages against a Gemini-served model; setup in gemini-openai-sdk-setup.ts.
useGeminiWorld();

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
