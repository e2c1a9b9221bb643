import Anthropic from "@anthropic-ai/sdk";
import { describe, expect, it } from "vitest";
import { client, lastOpenAI, time, useAnthropicMessagesWorld, weather } from "./anthropic-messages-setup.js";

// Setup, upstreams and helpers: anthropic-messages-setup.ts.
useAnthropicMessagesWorld();

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
