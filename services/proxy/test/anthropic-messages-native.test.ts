import Anthropic from "@anthropic-ai/sdk";
import { describe, expect, it } from "vitest";
import { claude, client, openai, proxy, useAnthropicMessagesWorld, weather } from "./anthropic-messages-setup.js";

// @anthropic-ai/sdk against an Anthropic-served model (passed through), and Anthropic's error envelope; setup in anthropic-messages-setup.ts.
useAnthropicMessagesWorld();

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
