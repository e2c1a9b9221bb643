import { gzipSync } from "node:zlib";
import OpenAI from "openai";
import { describe, expect, it } from "vitest";
import { startTestProxy } from "./harness.js";
import { chat, client, lastChat, lastClaude, openai, proxy, useResponsesWorld, weather } from "./responses-openai-sdk-setup.js";

// The Responses API's translation details (openai SDK); setup in responses-openai-sdk-setup.ts.
useResponsesWorld();

describe("Responses API, translation details", () => {
  it("flattens namespace tools for a chat target and maps the call back to its namespace", async () => {
    const r = await client.responses.create({
      model: "chat-model",
      input: "crm__lookup the customer",
      tools: [
        weather,
        {
          type: "namespace",
          name: "crm",
          description: "CRM tools",
          tools: [{ type: "function", name: "lookup", parameters: { type: "object", properties: {} } }],
        },
      ] as unknown as OpenAI.Responses.Tool[],
    });
    const names = (lastChat().tools as { function: { name: string } }[]).map((t) => t.function.name);
    expect(names).toEqual(["get_weather", "crm__lookup"]);
    const call = r.output.find((o) => o.type === "function_call") as unknown as Record<string, unknown>;
    expect(call).toMatchObject({ name: "lookup", namespace: "crm" });
  });

  it("leaves built-in tools out for a non-OpenAI target, says so, and refuses them for a strict model", async () => {
    const { data, response } = await client.responses
      .create({ model: "chat-model", input: "hi", tools: [weather, { type: "web_search" } as OpenAI.Responses.Tool] })
      .withResponse();
    expect(response.headers.get("x-router-warnings")).toBe("dropped:tools.web_search");
    expect(data.status).toBe("completed");
    expect((lastChat().tools as unknown[]).length).toBe(1);
    const err = await client.responses
      .create({ model: "strict-model", input: "hi", tools: [{ type: "web_search" } as OpenAI.Responses.Tool] })
      .catch((e) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect(err.message).toContain("tools.web_search");
  });

  it("maps reasoning effort, output limits and json_schema to the chat request", async () => {
    await client.responses.create({
      model: "chat-model",
      input: "hi",
      reasoning: { effort: "high" },
      max_output_tokens: 321,
      text: { format: { type: "json_schema", name: "answer", schema: { type: "object", properties: {} }, strict: true } },
    });
    expect(lastChat()).toMatchObject({
      reasoning_effort: "high",
      max_tokens: 321,
      response_format: { type: "json_schema", json_schema: { name: "answer", strict: true } },
    });
    await client.responses.create({ model: "claude-model", input: "hi", reasoning: { effort: "medium" } });
    expect(lastClaude().thinking).toEqual({ type: "enabled", budget_tokens: 4096 });
  });

  it("carries Anthropic thinking blocks and signatures across stateless turns, sealed in encrypted_content", async () => {
    for (const stream of [false, true]) {
      const base = {
        model: "claude-model",
        store: false,
        include: ["reasoning.encrypted_content"],
        reasoning: { effort: "low" },
        tools: [weather],
      };
      const first = stream
        ? await client.responses
            .stream({ ...base, input: "get_weather in Oslo" } as OpenAI.Responses.ResponseCreateParamsStreaming)
            .finalResponse()
        : await client.responses.create({ ...base, input: "get_weather in Oslo" } as OpenAI.Responses.ResponseCreateParamsNonStreaming);
      const reasoning = first.output.find((o) => o.type === "reasoning");
      if (reasoning?.type !== "reasoning") throw new Error("no reasoning item");
      expect(reasoning.encrypted_content).toMatch(/^air1\./);
      expect(JSON.stringify(reasoning)).not.toContain("sig_");
      const call = first.output.find((o) => o.type === "function_call");
      if (call?.type !== "function_call") throw new Error("no call");
      await client.responses.create({
        ...base,
        input: [
          { role: "user", content: "get_weather in Oslo" },
          reasoning,
          call,
          { type: "function_call_output", call_id: call.call_id, output: "cold" },
        ],
      } as OpenAI.Responses.ResponseCreateParamsNonStreaming);
      const assistant = (lastClaude().messages as { role: string; content: { type: string; signature?: string }[] }[])[1];
      expect(assistant?.role).toBe("assistant");
      expect(assistant?.content[0]).toMatchObject({ type: "thinking", signature: expect.stringMatching(/^sig_/) });
      expect(assistant?.content.map((b) => b.type)).toEqual(["thinking", "tool_use"]);
    }
    // A forged or foreign encrypted_content is ignored, never trusted.
    await client.responses.create({
      model: "claude-model",
      input: [
        { type: "reasoning", id: "rs_x", summary: [], encrypted_content: "air1.AAAAforged" },
        { role: "user", content: "hi" },
      ],
    } as OpenAI.Responses.ResponseCreateParamsNonStreaming);
    expect(JSON.stringify(lastClaude().messages)).not.toContain("thinking");
  });

  it("passes the request natively to an OpenAI target, built-in tools included", async () => {
    const r = await client.responses.create({
      model: "gpt-model",
      input: "hello native",
      tools: [weather, { type: "web_search" } as OpenAI.Responses.Tool],
      tool_choice: "none",
    });
    expect(r.output_text).toBe("Echo: hello native");
    const sent = openai.received("/responses").at(-1)?.body as Record<string, unknown>;
    expect(sent.model).toBe("gpt-upstream");
    expect((sent.tools as { type: string }[]).map((t) => t.type)).toEqual(["function", "web_search"]);
    const stream = client.responses.stream({ model: "gpt-model", input: "native stream" });
    const final = await stream.finalResponse();
    expect(final.output_text).toBe("Echo: native stream");
    // Stored by the router too: a follow-up goes upstream with the history expanded.
    await client.responses.create({ model: "gpt-model", previous_response_id: r.id, input: "again" });
    const follow = openai.received("/responses").at(-1)?.body as Record<string, unknown>;
    expect(follow.previous_response_id).toBeUndefined();
    expect(JSON.stringify(follow.input)).toContain("hello native");
  });

  it("answers errors in the Responses error format, 400 for an unknown previous_response_id", async () => {
    const err = await client.responses.create({ model: "chat-model", previous_response_id: "resp_nope", input: "x" }).catch((e) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect(err.error).toMatchObject({ param: "previous_response_id", code: "previous_response_not_found" });
    chat.behavior.fallback = { status: 400, message: "upstream says no" };
    const up = await client.responses.create({ model: "chat-model", input: "x" }).catch((e) => e);
    expect(up).toBeInstanceOf(OpenAI.BadRequestError);
    expect(up.message).toContain("upstream says no");
    const missing = await client.responses.create({ model: "nope", input: "x" }).catch((e) => e);
    expect(missing).toBeInstanceOf(OpenAI.NotFoundError);
  });

  it("keeps stored responses per client key: another key cannot see them", async () => {
    const keyed = await startTestProxy({
      providers: [{ name: "compat", type: "openai-compatible", base_url: chat.baseUrl }],
      models: [{ name: "chat-model", providers: [{ provider: "compat" }] }],
      keys: [
        { name: "a", key: "sk-key-a-123456" },
        { name: "b", key: "sk-key-b-123456" },
      ],
    });
    try {
      const a = new OpenAI({ baseURL: `${keyed.url}/v1`, apiKey: "sk-key-a-123456", maxRetries: 0 });
      const b = new OpenAI({ baseURL: `${keyed.url}/v1`, apiKey: "sk-key-b-123456", maxRetries: 0 });
      const r = await a.responses.create({ model: "chat-model", input: "secret" });
      expect((await a.responses.retrieve(r.id)).id).toBe(r.id);
      expect(await b.responses.retrieve(r.id).catch((e) => e)).toBeInstanceOf(OpenAI.NotFoundError);
      expect(await b.responses.create({ model: "chat-model", previous_response_id: r.id, input: "x" }).catch((e) => e)).toBeInstanceOf(
        OpenAI.BadRequestError,
      );
      const notStored = await a.responses.create({ model: "chat-model", input: "x", store: false });
      expect(await a.responses.retrieve(notStored.id).catch((e) => e)).toBeInstanceOf(OpenAI.NotFoundError);
    } finally {
      await keyed.close();
    }
  });

  it("accepts what Codex CLI sends: developer messages, namespace and web_search tools, summary, store:false, encrypted reasoning, zstd/gzip accept-encoding", async () => {
    const fn = (name: string) => ({
      type: "function",
      name,
      description: name,
      strict: false,
      parameters: { type: "object", properties: {} },
    });
    const body = {
      model: "chat-model",
      instructions: "You are Codex.",
      input: [
        { type: "message", role: "developer", content: [{ type: "input_text", text: "<permissions>sandbox</permissions>" }] },
        { type: "message", role: "user", content: [{ type: "input_text", text: "list the files" }] },
      ],
      tools: [
        ...["shell", "update_plan", "view_image", "apply_patch", "read_file", "list_dir", "grep_files", "write_stdin"].map(fn),
        { type: "namespace", name: "mcp__docs", description: "docs server", tools: ["a", "b", "c", "d", "e", "f"].map(fn) },
        { type: "web_search", external_web_access: false },
      ],
      tool_choice: "auto",
      parallel_tool_calls: true,
      reasoning: { summary: "auto" },
      store: false,
      stream: true,
      include: ["reasoning.encrypted_content"],
      prompt_cache_key: "0199-thread-id",
      client_metadata: { originator: "codex_cli_rs" },
    };
    const res = await fetch(`${proxy.url}/v1/responses`, {
      method: "POST",
      headers: { "content-type": "application/json", "accept-encoding": "zstd,gzip", accept: "text/event-stream" },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(200);
    expect([null, "gzip"]).toContain(res.headers.get("content-encoding"));
    expect(res.headers.get("x-router-warnings")).toBe("dropped:tools.web_search");
    const text = await res.text();
    expect(text).toContain("event: response.completed");
    const sent = lastChat();
    expect((sent.tools as unknown[]).length).toBe(14);
    expect((sent.messages as { role: string }[]).map((m) => m.role)).toEqual(["system", "system", "user"]);
    // A gzip-compressed request body is read too.
    const gz = await fetch(`${proxy.url}/v1/responses`, {
      method: "POST",
      headers: { "content-type": "application/json", "content-encoding": "gzip" },
      body: gzipSync(JSON.stringify({ model: "chat-model", input: "zipped" })),
    });
    expect(gz.status).toBe(200);
    expect((await gz.json()).output[0].content[0].text).toContain("zipped");
  });
});
