import type { ResponsesRequest } from "@ai-router/contracts";
import { describe, expect, it } from "vitest";
import { OpenAIStreamTranslator } from "../openai-base/stream.js";
import { chatToResponse, type ResponseContext } from "./from-chat.js";
import { ToolNames } from "./names.js";
import { createReasoningSealer } from "./seal.js";
import { ResponsesStreamEncoder } from "./stream.js";
import { responsesToChat } from "./to-chat.js";

const sealer = createReasoningSealer("test-secret");
const req = (over: Partial<ResponsesRequest>): ResponsesRequest => Object.assign({ model: "m" }, over) as ResponsesRequest;

describe("Responses request -> chat request", () => {
  const cases: [string, Partial<ResponsesRequest>, Record<string, unknown>, string[]][] = [
    ["a string input is one user message", { input: "hi" }, { messages: [{ role: "user", content: "hi" }] }, []],
    [
      "instructions become the system message; developer messages are system messages",
      { instructions: "Be brief.", input: [{ type: "message", role: "developer", content: [{ type: "input_text", text: "dev" }] }] },
      {
        messages: [
          { role: "system", content: "Be brief." },
          { role: "system", content: "dev" },
        ],
      },
      [],
    ],
    [
      "images (URL and data URL) become image_url parts; a file id only image cannot be carried",
      {
        input: [
          {
            role: "user",
            content: [
              { type: "input_text", text: "look" },
              { type: "input_image", image_url: "https://x/y.png", detail: "high" },
              { type: "input_image", image_url: "data:image/png;base64,AAAA" },
              { type: "input_image", file_id: "file-1" },
            ],
          },
        ],
      },
      {
        messages: [
          {
            role: "user",
            content: [
              { type: "text", text: "look" },
              { type: "image_url", image_url: { url: "https://x/y.png", detail: "high" } },
              { type: "image_url", image_url: { url: "data:image/png;base64,AAAA" } },
            ],
          },
        ],
      },
      ["input.input_image.file_id"],
    ],
    [
      "parallel function calls merge into one assistant message, outputs become tool messages with their call_ids",
      {
        input: [
          { role: "user", content: "go" },
          { type: "function_call", call_id: "c1", name: "a", arguments: '{"x":1}' },
          { type: "function_call", call_id: "c2", name: "b", arguments: "{}" },
          { type: "function_call_output", call_id: "c1", output: "one" },
          { type: "function_call_output", call_id: "c2", output: "two" },
        ],
      },
      {
        messages: [
          { role: "user", content: "go" },
          {
            role: "assistant",
            content: null,
            tool_calls: [
              { id: "c1", type: "function", function: { name: "a", arguments: '{"x":1}' } },
              { id: "c2", type: "function", function: { name: "b", arguments: "{}" } },
            ],
          },
          { role: "tool", tool_call_id: "c1", content: "one" },
          { role: "tool", tool_call_id: "c2", content: "two" },
        ],
      },
      [],
    ],
    [
      "function, namespace and built-in tools; tool_choice, parallel_tool_calls, effort, limits, json_schema",
      {
        input: "x",
        tools: [
          { type: "function", name: "f", parameters: { type: "object", properties: {} } },
          {
            type: "namespace",
            name: "ns",
            tools: [
              { type: "function", name: "g" },
              { type: "custom", name: "h" },
            ],
          },
          { type: "web_search" },
          { type: "file_search" },
        ],
        tool_choice: { type: "function", name: "f" },
        parallel_tool_calls: false,
        reasoning: { effort: "low", summary: "auto" },
        max_output_tokens: 50,
        temperature: 0.5,
        text: { format: { type: "json_schema", name: "out", schema: { type: "object" }, strict: true } },
      },
      {
        tools: [
          { type: "function", function: { name: "f", parameters: { type: "object", properties: {} } } },
          { type: "function", function: { name: "ns__g", parameters: { type: "object", properties: {} } } },
        ],
        tool_choice: { type: "function", function: { name: "f" } },
        parallel_tool_calls: false,
        reasoning_effort: "low",
        max_tokens: 50,
        temperature: 0.5,
        response_format: { type: "json_schema", json_schema: { name: "out", schema: { type: "object" }, strict: true } },
      },
      ["tools.ns.custom", "tools.web_search", "tools.file_search"],
    ],
    [
      "json_object, stream with usage asked for, state fields are no-ops, unknown fields are named",
      {
        input: "x",
        text: { format: { type: "json_object" } },
        stream: true,
        store: false,
        include: ["reasoning.encrypted_content"],
        top_logprobs: 2,
      } as Partial<ResponsesRequest>,
      { response_format: { type: "json_object" }, stream: true, stream_options: { include_usage: true } },
      ["top_logprobs"],
    ],
  ];
  it.each(cases)("%s", (_n, r, expected, dropped) => {
    const out = responsesToChat(req(r), { providerType: "openai-compatible", sealer });
    expect(out.req).toMatchObject(expected);
    expect(out.dropped).toEqual(dropped);
  });

  it("gives sealed reasoning back only to the kind of provider that made it; forged ones are ignored", () => {
    const blocks = [{ type: "thinking", thinking: "hmm", signature: "SIG" }];
    const token = sealer.seal({ provider: "anthropic", blocks, text: "hmm" });
    const input = [
      { role: "user", content: "q" },
      { type: "reasoning", id: "rs_1", summary: [], encrypted_content: token },
      { type: "function_call", call_id: "c1", name: "a", arguments: "{}" },
    ];
    const forAnthropic = responsesToChat(req({ input }), { providerType: "anthropic", sealer });
    expect(forAnthropic.req.messages[1]).toMatchObject({ role: "assistant", thinking_blocks: blocks, reasoning_content: "hmm" });
    const forOther = responsesToChat(req({ input }), { providerType: "gemini", sealer });
    expect(forOther.req.messages[1]).not.toHaveProperty("thinking_blocks");
    const forged = createReasoningSealer("other-secret").seal({ provider: "anthropic", blocks, text: "x" });
    const withForged = responsesToChat(req({ input: [input[0], { ...input[1], encrypted_content: forged }, input[2]] as never }), {
      providerType: "anthropic",
      sealer,
    });
    expect(withForged.req.messages[1]).not.toHaveProperty("thinking_blocks");
    expect(sealer.open(`${token.slice(0, -4)}AAAA`)).toBeUndefined();
  });

  it("refuses input that is not a conversation", () => {
    expect(() => responsesToChat(req({ input: [] }), { providerType: "x" })).toThrow(/no input/);
    expect(() => responsesToChat(req({ input: [{ role: "wizard", content: "x" }] }), { providerType: "x" })).toThrow(/role/);
  });
});

const ctx = (over: Partial<ResponseContext> = {}): ResponseContext =>
  Object.assign(
    { id: "resp_1", createdAt: 1, request: req({ input: "x" }), names: new ToolNames(), providerType: "anthropic", sealer },
    over,
  );

describe("chat answer -> Response", () => {
  it("text, reasoning (sealed with its blocks), parallel calls with call_ids, usage with details", () => {
    const names = new ToolNames();
    names.flat("lookup", "crm");
    const r = chatToResponse(
      {
        choices: [
          {
            message: {
              content: "done",
              reasoning_content: "thinking...",
              thinking_blocks: [{ type: "thinking", thinking: "thinking...", signature: "S" }],
              tool_calls: [
                { id: "c1", function: { name: "crm__lookup", arguments: '{"q":1}' } },
                { id: "c2", function: { name: "plain", arguments: "{}" } },
              ],
            },
            finish_reason: "tool_calls",
          },
        ],
        usage: {
          prompt_tokens: 10,
          completion_tokens: 5,
          total_tokens: 15,
          prompt_tokens_details: { cached_tokens: 4 },
          completion_tokens_details: { reasoning_tokens: 2 },
        },
      },
      ctx({ names }),
    );
    const out = r.output as Record<string, unknown>[];
    expect(out.map((o) => o.type)).toEqual(["reasoning", "message", "function_call", "function_call"]);
    expect(out[0]).toMatchObject({ summary: [{ type: "summary_text", text: "thinking..." }] });
    expect(sealer.open(out[0]?.encrypted_content as string)).toEqual({
      provider: "anthropic",
      blocks: [{ type: "thinking", thinking: "thinking...", signature: "S" }],
      text: "thinking...",
    });
    expect(out[2]).toMatchObject({ call_id: "c1", name: "lookup", namespace: "crm", arguments: '{"q":1}', status: "completed" });
    expect(out[3]).toMatchObject({ call_id: "c2", name: "plain" });
    expect(r).toMatchObject({
      status: "completed",
      usage: {
        input_tokens: 10,
        output_tokens: 5,
        total_tokens: 15,
        input_tokens_details: { cached_tokens: 4 },
        output_tokens_details: { reasoning_tokens: 2 },
      },
    });
  });

  it.each([
    ["length", "incomplete", { reason: "max_output_tokens" }],
    ["content_filter", "incomplete", { reason: "content_filter" }],
    ["stop", "completed", null],
  ])("finish %s -> status %s", (finish, status, details) => {
    const r = chatToResponse({ choices: [{ message: { content: "x" }, finish_reason: finish }] }, ctx());
    expect(r.status).toBe(status);
    expect(r.incomplete_details).toEqual(details);
  });
});

/** Runs OpenAI SSE chunks through the Responses encoder; returns the events. */
function encode(chunks: object[], c = ctx()): { events: Record<string, unknown>[]; final: Record<string, unknown> | undefined } {
  const enc = new ResponsesStreamEncoder(new OpenAIStreamTranslator(false), c);
  let out = "";
  for (const ch of chunks) out += enc.push(Buffer.from(`data: ${JSON.stringify(ch)}\n\n`));
  out += enc.push(Buffer.from("data: [DONE]\n\n"));
  out += enc.end();
  const events = out
    .split("\n\n")
    .filter(Boolean)
    .map((e) => JSON.parse(e.split("\n")[1]?.slice(6) ?? "{}") as Record<string, unknown>);
  return { events, final: enc.final };
}
const delta = (d: object, finish: string | null = null) => ({ choices: [{ index: 0, delta: d, finish_reason: finish }] });

describe("chat stream -> Responses events as lines (the WebSocket mode's framing)", () => {
  it("the same events, in the same order, one JSON line each", () => {
    const chunks = [delta({ role: "assistant", content: "" }), delta({ content: "Hi" }), delta({}, "stop")];
    const c = ctx();
    const enc = new ResponsesStreamEncoder(new OpenAIStreamTranslator(false), c, true);
    let out = "";
    for (const ch of chunks) out += enc.push(Buffer.from(`data: ${JSON.stringify(ch)}\n\n`));
    out += enc.push(Buffer.from("data: [DONE]\n\n")) + enc.end();
    expect(out.endsWith("\n")).toBe(true);
    const lines = out
      .slice(0, -1)
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const sse = encode(chunks, c).events;
    const strip = (e: Record<string, unknown>) => JSON.stringify(e).replace(/"(id|item_id|created_at)":"?[\w-]+"?/g, "");
    expect(lines.map(strip)).toEqual(sse.map(strip));
  });
});

describe("chat stream -> Responses events", () => {
  it("text: created, in_progress, item and part added, deltas, done events, completed with usage; numbered from 0", () => {
    const { events, final } = encode([
      delta({ role: "assistant", content: "" }),
      delta({ content: "Hel" }),
      delta({ content: "lo" }),
      delta({}, "stop"),
      { choices: [], usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 } },
    ]);
    expect(events.map((e) => e.type)).toEqual([
      "response.created",
      "response.in_progress",
      "response.output_item.added",
      "response.content_part.added",
      "response.output_text.delta",
      "response.output_text.delta",
      "response.output_text.done",
      "response.content_part.done",
      "response.output_item.done",
      "response.completed",
    ]);
    expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
    expect(events[6]).toMatchObject({ text: "Hello" });
    expect(final).toMatchObject({ status: "completed", usage: { input_tokens: 3, output_tokens: 2 } });
  });

  it("parallel function calls: one item each, argument deltas, done with the whole arguments, call_ids kept", () => {
    const { events, final } = encode([
      delta({ tool_calls: [{ index: 0, id: "c1", type: "function", function: { name: "a", arguments: "" } }] }),
      delta({ tool_calls: [{ index: 0, function: { arguments: '{"x":' } }] }),
      delta({ tool_calls: [{ index: 0, function: { arguments: "1}" } }] }),
      delta({ tool_calls: [{ index: 1, id: "c2", type: "function", function: { name: "b", arguments: "{}" } }] }),
      delta({}, "tool_calls"),
    ]);
    const done = events.filter((e) => e.type === "response.function_call_arguments.done");
    expect(done.map((e) => [e.name, e.arguments])).toEqual([
      ["a", '{"x":1}'],
      ["b", "{}"],
    ]);
    expect((final!.output as { call_id: string }[]).map((o) => o.call_id)).toEqual(["c1", "c2"]);
    expect(events.filter((e) => e.type === "response.function_call_arguments.delta").map((e) => e.delta)).toEqual(['{"x":', "1}", "{}"]);
  });

  it("reasoning becomes a reasoning item with summary events before the message", () => {
    const { events, final } = encode([
      delta({ reasoning_content: "let me " }),
      delta({ reasoning_content: "think" }),
      delta({ content: "ok" }),
      delta({}, "stop"),
    ]);
    const types = events.map((e) => e.type);
    expect(types.slice(2, 6)).toEqual([
      "response.output_item.added",
      "response.reasoning_summary_part.added",
      "response.reasoning_summary_text.delta",
      "response.reasoning_summary_text.delta",
    ]);
    expect((final!.output as { type: string }[]).map((o) => o.type)).toEqual(["reasoning", "message"]);
    expect(events.find((e) => e.type === "response.reasoning_summary_text.done")).toMatchObject({ text: "let me think" });
  });

  it("length -> response.incomplete; an in-band error -> error then response.failed", () => {
    expect(encode([delta({ content: "cut" }), delta({}, "length")]).events.at(-1)).toMatchObject({
      type: "response.incomplete",
      response: { incomplete_details: { reason: "max_output_tokens" } },
    });
    const failed = encode([delta({ content: "x" }), { error: { message: "overloaded", type: "server_error", code: "overloaded" } }]);
    expect(failed.events.slice(-2).map((e) => e.type)).toEqual(["error", "response.failed"]);
    expect(failed.final).toMatchObject({ status: "failed", error: { message: "overloaded" } });
  });

  it("writes nothing before the first content (so an early failure can still fail over)", () => {
    const enc = new ResponsesStreamEncoder(new OpenAIStreamTranslator(false), ctx());
    expect(enc.push(Buffer.from(`data: ${JSON.stringify(delta({ role: "assistant", content: "" }))}\n\n`))).toBe("");
  });
});
