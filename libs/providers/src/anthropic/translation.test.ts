import type { ChatCompletionRequest } from "@ai-router/contracts";
import { RouterError } from "@ai-router/errors";
import { describe, expect, it } from "vitest";
import { OpenAIStreamTranslator } from "../openai-base/stream.js";
import type { AnthropicRequest, AnthropicResponse } from "./api.js";
import { estimateInputTokens, IMAGE_TOKENS } from "./count-tokens.js";
import { parseAnthropicError } from "./errors.js";
import { toOpenAIRequest } from "./messages-ingress.js";
import { AnthropicPassthroughStream } from "./messages-native.js";
import { OpenAIToAnthropicStream } from "./messages-stream.js";
import { AnthropicStreamTranslator } from "./stream.js";
import { JSON_OBJECT_INSTRUCTION, toAnthropicRequest } from "./to-anthropic.js";
import { toAnthropicError, toAnthropicMessage } from "./to-anthropic-message.js";
import { toOpenAICompletion } from "./to-openai.js";

// Fixtures in, expected wire out, for every mapping in both directions (see docs/anthropic.md).

const user = (content: unknown) => ({ role: "user", content }) as ChatCompletionRequest["messages"][number];
const req = (fields: Record<string, unknown>): ChatCompletionRequest =>
  ({ model: "m", messages: [user("hi")], ...fields }) as ChatCompletionRequest;
const fn = (name: string) => ({ type: "function" as const, function: { name, parameters: { type: "object", properties: {} } } });
const toolUse = (id: string, name: string, input: unknown) => ({ type: "tool_use", id, name, input });

describe("OpenAI request -> Anthropic request", () => {
  const cases: [string, ChatCompletionRequest, Partial<AnthropicRequest>, string[]?][] = [
    [
      "system and developer messages lift into system; max_tokens defaults to 4096",
      req({ messages: [{ role: "system", content: "A" }, { role: "developer", content: "B" }, user("hi")] }),
      { model: "up", max_tokens: 4096, system: "A\n\nB", messages: [{ role: "user", content: "hi" }] },
    ],
    [
      "consecutive same-role messages merge into one turn",
      req({ messages: [user("a"), user("b"), { role: "assistant", content: "c" }, { role: "assistant", content: "d" }] }),
      {
        messages: [
          {
            role: "user",
            content: [
              { type: "text", text: "a" },
              { type: "text", text: "b" },
            ],
          },
          {
            role: "assistant",
            content: [
              { type: "text", text: "c" },
              { type: "text", text: "d" },
            ],
          },
        ],
      },
    ],
    [
      "max_completion_tokens wins; temperature, top_p, stop (string -> list), user -> metadata.user_id",
      req({ max_tokens: 10, max_completion_tokens: 20, temperature: 0.2, top_p: 0.9, stop: "END", user: "u1" }),
      { max_tokens: 20, temperature: 0.2, top_p: 0.9, stop_sequences: ["END"], metadata: { user_id: "u1" } },
    ],
    [
      "images: data URL -> base64 block, http URL -> url block",
      req({
        messages: [
          user([
            { type: "text", text: "look" },
            { type: "image_url", image_url: { url: "data:image/jpeg;base64,/9j/4AAQ" } },
            { type: "image_url", image_url: { url: "https://x.test/a.png" } },
          ]),
        ],
      }),
      {
        messages: [
          {
            role: "user",
            content: [
              { type: "text", text: "look" },
              { type: "image", source: { type: "base64", media_type: "image/jpeg", data: "/9j/4AAQ" } },
              { type: "image", source: { type: "url", url: "https://x.test/a.png" } },
            ],
          },
        ],
      },
    ],
    [
      "assistant tool_calls -> tool_use; consecutive tool results and the next user text share one user turn",
      req({
        messages: [
          user("go"),
          {
            role: "assistant",
            content: null,
            tool_calls: [
              { id: "c1", type: "function", function: { name: "a", arguments: '{"x":1}' } },
              { id: "c2", type: "function", function: { name: "b", arguments: "" } },
            ],
          },
          { role: "tool", tool_call_id: "c1", content: "r1" },
          { role: "tool", tool_call_id: "c2", content: [{ type: "text", text: "r2" }] },
          user("thanks"),
        ],
      }),
      {
        messages: [
          { role: "user", content: "go" },
          { role: "assistant", content: [toolUse("c1", "a", { x: 1 }), toolUse("c2", "b", {})] },
          {
            role: "user",
            content: [
              { type: "tool_result", tool_use_id: "c1", content: "r1" },
              { type: "tool_result", tool_use_id: "c2", content: [{ type: "text", text: "r2" }] },
              { type: "text", text: "thanks" },
            ],
          },
        ],
      },
    ],
    [
      "tools -> input_schema (strict kept); tool_choice auto with parallel_tool_calls false",
      req({
        tools: [{ type: "function", function: { name: "w", description: "d", parameters: { type: "object" }, strict: true } }],
        parallel_tool_calls: false,
      }),
      {
        tools: [{ name: "w", description: "d", input_schema: { type: "object" }, strict: true }],
        tool_choice: { type: "auto", disable_parallel_tool_use: true },
      },
    ],
    ["tool_choice none", req({ tools: [fn("w")], tool_choice: "none" }), { tool_choice: { type: "none" } }],
    ["tool_choice required -> any", req({ tools: [fn("w")], tool_choice: "required" }), { tool_choice: { type: "any" } }],
    [
      "tool_choice by name -> tool",
      req({ tools: [fn("w")], tool_choice: { type: "function", function: { name: "w" } } }),
      { tool_choice: { type: "tool", name: "w" } },
    ],
    [
      "response_format json_schema -> output_config.format",
      req({ response_format: { type: "json_schema", json_schema: { name: "x", schema: { type: "object", properties: {} } } } }),
      { output_config: { format: { type: "json_schema", schema: { type: "object", properties: {} } } } },
    ],
    [
      "response_format json_object -> a system instruction",
      req({ messages: [{ role: "system", content: "S" }, user("hi")], response_format: { type: "json_object" } }),
      { system: `S\n\n${JSON_OBJECT_INSTRUCTION}` },
    ],
    [
      "reasoning_effort -> thinking budget; max_tokens grows so the answer keeps its room",
      req({ reasoning_effort: "medium", max_tokens: 1000 }),
      { thinking: { type: "enabled", budget_tokens: 4096 }, max_tokens: 5096 },
    ],
    [
      "cache_control on a text part and on a tool is kept",
      req({
        messages: [user([{ type: "text", text: "big", cache_control: { type: "ephemeral" } }])],
        tools: [{ ...fn("w"), cache_control: { type: "ephemeral", ttl: "1h" } }],
      }),
      {
        messages: [{ role: "user", content: [{ type: "text", text: "big", cache_control: { type: "ephemeral" } }] }],
        tools: [{ name: "w", input_schema: { type: "object", properties: {} }, cache_control: { type: "ephemeral", ttl: "1h" } }],
      },
    ],
    [
      "thinking_blocks of an earlier answer go back with their signatures",
      req({
        messages: [
          user("q"),
          {
            role: "assistant",
            content: "a",
            reasoning_content: "t",
            thinking_blocks: [{ type: "thinking", thinking: "t", signature: "s" }],
          },
          user("q2"),
        ],
      }),
      {
        messages: [
          { role: "user", content: "q" },
          {
            role: "assistant",
            content: [
              { type: "thinking", thinking: "t", signature: "s" },
              { type: "text", text: "a" },
            ],
          },
          { role: "user", content: "q2" },
        ],
      },
    ],
    [
      "fields Anthropic cannot carry are reported; values equal to OpenAI defaults are not",
      req({ presence_penalty: 0.5, frequency_penalty: 0, n: 1, logit_bias: { "1": 2 }, seed: 3, tool_choice: "required" }),
      {},
      ["presence_penalty", "logit_bias", "seed", "tool_choice"],
    ],
    [
      "an image detail and a plain reasoning_content (no signature) are reported",
      req({
        messages: [
          user([{ type: "image_url", image_url: { url: "https://x.test/a.png", detail: "high" } }]),
          { role: "assistant", content: "a", reasoning_content: "unsigned" },
          user("b"),
        ],
      }),
      {},
      ["image_url.detail", "messages.reasoning_content"],
    ],
  ];
  it.each(cases)("%s", (_name, input, expected, dropped = []) => {
    const out = toAnthropicRequest(input, "up", false);
    expect(out.body).toMatchObject(expected);
    expect(out.dropped).toEqual(dropped);
  });

  it("rejects tool-call arguments that are not JSON instead of inventing an input", () => {
    const bad = req({
      messages: [
        user("x"),
        { role: "assistant", content: null, tool_calls: [{ id: "c", type: "function", function: { name: "a", arguments: "{oops" } }] },
      ],
    });
    expect(() => toAnthropicRequest(bad, "up", false)).toThrow(RouterError);
  });
});

describe("Anthropic response -> OpenAI chat.completion", () => {
  const msg = (fields: Partial<AnthropicResponse>): AnthropicResponse => ({
    id: "msg_1",
    type: "message",
    role: "assistant",
    model: "claude-x",
    content: [{ type: "text", text: "hi" }],
    stop_reason: "end_turn",
    stop_sequence: null,
    usage: { input_tokens: 10, output_tokens: 5 },
    ...fields,
  });
  it.each([
    ["end_turn", "stop"],
    ["stop_sequence", "stop"],
    ["pause_turn", "stop"],
    ["max_tokens", "length"],
    ["model_context_window_exceeded", "length"],
    ["tool_use", "tool_calls"],
    ["refusal", "content_filter"],
  ] as const)("stop_reason %s -> finish_reason %s", (stop, finish) => {
    const c = toOpenAICompletion(msg({ stop_reason: stop })) as { choices: { finish_reason: string }[] };
    expect(c.choices[0]?.finish_reason).toBe(finish);
  });

  it("text, thinking and tool_use blocks -> content, reasoning_content, thinking_blocks and tool_calls; usage with cache", () => {
    const c = toOpenAICompletion(
      msg({
        content: [
          { type: "thinking", thinking: "hmm", signature: "sig" },
          { type: "text", text: "Let me check." },
          toolUse("t1", "a", { x: 1 }),
          toolUse("t2", "b", {}),
        ],
        stop_reason: "tool_use",
        usage: { input_tokens: 10, output_tokens: 5, cache_read_input_tokens: 100, cache_creation_input_tokens: 20 },
      }),
      1700000000,
    );
    expect(c).toEqual({
      id: "msg_1",
      object: "chat.completion",
      created: 1700000000,
      model: "claude-x",
      choices: [
        {
          index: 0,
          message: {
            role: "assistant",
            content: "Let me check.",
            refusal: null,
            reasoning_content: "hmm",
            thinking_blocks: [{ type: "thinking", thinking: "hmm", signature: "sig" }],
            tool_calls: [
              { id: "t1", type: "function", function: { name: "a", arguments: '{"x":1}' } },
              { id: "t2", type: "function", function: { name: "b", arguments: "{}" } },
            ],
          },
          logprobs: null,
          finish_reason: "tool_calls",
        },
      ],
      usage: {
        prompt_tokens: 130,
        completion_tokens: 5,
        total_tokens: 135,
        prompt_tokens_details: { cached_tokens: 100, cache_creation_tokens: 20 },
      },
    });
  });

  it("content is null when the answer is only tool calls", () => {
    const c = toOpenAICompletion(msg({ content: [toolUse("t", "a", {})] })) as { choices: { message: { content: unknown } }[] };
    expect(c.choices[0]?.message.content).toBeNull();
  });
});

const ev = (event: string, data: object) => `event: ${event}\ndata: ${JSON.stringify({ type: event, ...data })}\n\n`;

/** Feeds SSE text in small pieces (events split across chunks) and returns the parsed OpenAI chunks. */
function runAnthropicStream(events: string[], includeUsage: boolean) {
  const t = new AnthropicStreamTranslator(includeUsage, "requested");
  const text = events.join("");
  let out = "";
  for (let i = 0; i < text.length; i += 7) out += t.push(Buffer.from(text.slice(i, i + 7)));
  out += t.end();
  const datas = out
    .split("\n\n")
    .filter(Boolean)
    .map((e) => e.replace(/^data: /, ""));
  return { t, datas, chunks: datas.filter((d) => d !== "[DONE]").map((d) => JSON.parse(d)) };
}

describe("Anthropic event stream -> OpenAI chunks", () => {
  const parallel = [
    ev("message_start", {
      message: { id: "msg_s", model: "claude-x", usage: { input_tokens: 12, cache_read_input_tokens: 4, output_tokens: 1 } },
    }),
    ev("ping", {}),
    ev("content_block_start", { index: 0, content_block: { type: "thinking", thinking: "" } }),
    ev("content_block_delta", { index: 0, delta: { type: "thinking_delta", thinking: "hmm" } }),
    ev("content_block_delta", { index: 0, delta: { type: "signature_delta", signature: "sig" } }),
    ev("content_block_stop", { index: 0 }),
    ev("content_block_start", { index: 1, content_block: { type: "text", text: "" } }),
    ev("content_block_delta", { index: 1, delta: { type: "text_delta", text: "Checking." } }),
    ev("content_block_stop", { index: 1 }),
    ev("content_block_start", { index: 2, content_block: { type: "tool_use", id: "t1", name: "a", input: {} } }),
    ev("content_block_delta", { index: 2, delta: { type: "input_json_delta", partial_json: "" } }),
    ev("content_block_delta", { index: 2, delta: { type: "input_json_delta", partial_json: '{"x":' } }),
    ev("content_block_delta", { index: 2, delta: { type: "input_json_delta", partial_json: "1}" } }),
    ev("content_block_stop", { index: 2 }),
    ev("content_block_start", { index: 3, content_block: { type: "tool_use", id: "t2", name: "b", input: {} } }),
    ev("content_block_delta", { index: 3, delta: { type: "input_json_delta", partial_json: "{}" } }),
    ev("content_block_stop", { index: 3 }),
    ev("message_delta", { delta: { stop_reason: "tool_use", stop_sequence: null }, usage: { output_tokens: 30 } }),
    ev("message_stop", {}),
  ];

  it("parallel tool calls get tool_calls[].index 0 and 1 (not block indexes 2 and 3); thinking -> reasoning_content", () => {
    const { chunks, datas } = runAnthropicStream(parallel, true);
    const deltas = chunks.filter((c) => c.choices.length > 0).map((c) => [c.choices[0].delta, c.choices[0].finish_reason]);
    expect(deltas).toEqual([
      [{ role: "assistant", content: "", refusal: null }, null],
      [{ reasoning_content: "hmm" }, null],
      [{ content: "Checking." }, null],
      [{ tool_calls: [{ index: 0, id: "t1", type: "function", function: { name: "a", arguments: "" } }] }, null],
      [{ tool_calls: [{ index: 0, function: { arguments: '{"x":' } }] }, null],
      [{ tool_calls: [{ index: 0, function: { arguments: "1}" } }] }, null],
      [{ tool_calls: [{ index: 1, id: "t2", type: "function", function: { name: "b", arguments: "" } }] }, null],
      [{ tool_calls: [{ index: 1, function: { arguments: "{}" } }] }, null],
      [{}, "tool_calls"],
    ]);
    expect(chunks.every((c) => c.id === "msg_s" && c.model === "claude-x" && c.object === "chat.completion.chunk")).toBe(true);
    // include_usage: usage null on every content chunk, then one usage chunk with no choices, then [DONE].
    expect(chunks.slice(0, -1).every((c) => c.usage === null)).toBe(true);
    expect(chunks.at(-1)).toMatchObject({
      choices: [],
      usage: { prompt_tokens: 16, completion_tokens: 30, total_tokens: 46, prompt_tokens_details: { cached_tokens: 4 } },
    });
    expect(datas.at(-1)).toBe("[DONE]");
  });

  it("without include_usage: no usage anywhere, usage still recorded", () => {
    const { chunks, t } = runAnthropicStream(parallel, false);
    expect(chunks.some((c) => "usage" in c)).toBe(false);
    expect(t.usage).toMatchObject({ prompt_tokens: 16, completion_tokens: 30 });
  });

  it.each([
    ["end_turn", "stop"],
    ["max_tokens", "length"],
    ["stop_sequence", "stop"],
  ])("message_delta stop_reason %s -> final chunk finish_reason %s", (stop, finish) => {
    const { chunks } = runAnthropicStream(
      [
        ev("message_start", { message: { id: "m", model: "c", usage: { input_tokens: 1, output_tokens: 1 } } }),
        ev("content_block_start", { index: 0, content_block: { type: "text", text: "" } }),
        ev("content_block_delta", { index: 0, delta: { type: "text_delta", text: "x" } }),
        ev("message_delta", { delta: { stop_reason: stop }, usage: { output_tokens: 1 } }),
        ev("message_stop", {}),
      ],
      false,
    );
    expect(chunks.at(-1).choices[0].finish_reason).toBe(finish);
  });

  it("an error event becomes an OpenAI error chunk and a retryable error (overload) before any content", () => {
    const { t, chunks } = runAnthropicStream(
      [
        ev("message_start", { message: { id: "m", model: "c", usage: {} } }),
        ev("error", { error: { type: "overloaded_error", message: "Overloaded" } }),
      ],
      false,
    );
    expect(chunks).toEqual([{ error: { message: "Overloaded", type: "server_error", param: null, code: "overloaded_error" } }]);
    expect(t.error).toMatchObject({ status: 503, code: "overloaded_error", retryable: true });
  });
});

describe("Anthropic request (/v1/messages) -> OpenAI request", () => {
  const areq = (fields: Partial<AnthropicRequest>): AnthropicRequest => ({
    model: "gpt",
    max_tokens: 100,
    messages: [{ role: "user", content: "hi" }],
    ...fields,
  });
  const cases: [string, AnthropicRequest, Record<string, unknown>, string[]?][] = [
    [
      "system, stop_sequences, sampling, metadata.user_id",
      areq({ system: "S", stop_sequences: ["X"], temperature: 0.3, top_p: 0.8, metadata: { user_id: "u" } }),
      {
        model: "gpt",
        max_tokens: 100,
        messages: [
          { role: "system", content: "S" },
          { role: "user", content: "hi" },
        ],
        stop: ["X"],
        temperature: 0.3,
        top_p: 0.8,
        user: "u",
      },
    ],
    [
      "tool_use -> tool_calls; tool_result blocks -> tool messages placed before the rest of the user turn",
      areq({
        messages: [
          { role: "user", content: "go" },
          { role: "assistant", content: [{ type: "text", text: "ok" }, toolUse("t1", "a", { x: 1 }), toolUse("t2", "b", {})] },
          {
            role: "user",
            content: [
              { type: "tool_result", tool_use_id: "t1", content: "r1" },
              { type: "tool_result", tool_use_id: "t2", content: [{ type: "text", text: "r2" }] },
              { type: "text", text: "and?" },
            ],
          },
        ],
      }),
      {
        messages: [
          { role: "user", content: "go" },
          {
            role: "assistant",
            content: "ok",
            tool_calls: [
              { id: "t1", type: "function", function: { name: "a", arguments: '{"x":1}' } },
              { id: "t2", type: "function", function: { name: "b", arguments: "{}" } },
            ],
          },
          { role: "tool", tool_call_id: "t1", content: "r1" },
          { role: "tool", tool_call_id: "t2", content: "r2" },
          { role: "user", content: "and?" },
        ],
      },
    ],
    [
      "images: base64 -> data URL, url -> url",
      areq({
        messages: [
          {
            role: "user",
            content: [
              { type: "image", source: { type: "base64", media_type: "image/png", data: "AAA" } },
              { type: "image", source: { type: "url", url: "https://x.test/i.png" } },
            ],
          },
        ],
      }),
      {
        messages: [
          {
            role: "user",
            content: [
              { type: "image_url", image_url: { url: "data:image/png;base64,AAA" } },
              { type: "image_url", image_url: { url: "https://x.test/i.png" } },
            ],
          },
        ],
      },
    ],
    [
      "tools -> function tools; tool_choice tool -> named function, parallel disabled",
      areq({
        tools: [{ name: "w", description: "d", input_schema: { type: "object" } }],
        tool_choice: { type: "tool", name: "w", disable_parallel_tool_use: true },
      }),
      {
        tools: [{ type: "function", function: { name: "w", description: "d", parameters: { type: "object" } } }],
        tool_choice: { type: "function", function: { name: "w" } },
        parallel_tool_calls: false,
      },
    ],
    [
      "tool_choice any -> required",
      areq({ tools: [{ name: "w", input_schema: {} }], tool_choice: { type: "any" } }),
      { tool_choice: "required" },
    ],
    ["tool_choice none", areq({ tools: [{ name: "w", input_schema: {} }], tool_choice: { type: "none" } }), { tool_choice: "none" }],
    [
      "output_config.format -> response_format json_schema",
      areq({ output_config: { format: { type: "json_schema", schema: { type: "object" } } } }),
      { response_format: { type: "json_schema", json_schema: { name: "response", schema: { type: "object" }, strict: true } } },
    ],
    [
      "what OpenAI cannot carry is reported: top_k, thinking, cache_control, server tools, thinking blocks",
      areq({
        top_k: 5,
        thinking: { type: "enabled", budget_tokens: 2000 },
        system: [{ type: "text", text: "S", cache_control: { type: "ephemeral" } }],
        tools: [{ name: "web_search", type: "web_search_20250305", input_schema: {} }],
        messages: [
          { role: "user", content: "q" },
          {
            role: "assistant",
            content: [
              { type: "thinking", thinking: "t", signature: "s" },
              { type: "text", text: "a" },
            ],
          },
          { role: "user", content: "q2" },
        ],
      }),
      {
        messages: [
          { role: "system", content: "S" },
          { role: "user", content: "q" },
          { role: "assistant", content: "a" },
          { role: "user", content: "q2" },
        ],
      },
      ["top_k", "cache_control", "content.thinking", "tools.web_search_20250305", "thinking"],
    ],
  ];
  it.each(cases)("%s", (_name, input, expected, dropped = []) => {
    const out = toOpenAIRequest(input);
    expect(out.req).toMatchObject(expected);
    expect(out.dropped).toEqual(dropped);
  });
});

describe("OpenAI chat.completion -> Anthropic message", () => {
  const completion = (message: object, finish: string, usage?: object) => ({
    id: "chatcmpl-1",
    model: "gpt-x",
    choices: [{ index: 0, message: { role: "assistant", ...message }, finish_reason: finish }],
    usage: usage ?? { prompt_tokens: 10, completion_tokens: 4, total_tokens: 14 },
  });
  it.each([
    ["stop", "end_turn"],
    ["length", "max_tokens"],
    ["tool_calls", "tool_use"],
    ["content_filter", "refusal"],
  ])("finish_reason %s -> stop_reason %s", (finish, stop) => {
    expect(toAnthropicMessage(completion({ content: "x" }, finish)).stop_reason).toBe(stop);
  });

  it("reasoning, text and tool calls -> thinking, text and tool_use blocks; cached tokens leave input_tokens", () => {
    const m = toAnthropicMessage(
      completion(
        {
          content: "Checking.",
          reasoning_content: "hmm",
          tool_calls: [
            { id: "c1", type: "function", function: { name: "a", arguments: '{"x":1}' } },
            { id: "c2", type: "function", function: { name: "b", arguments: "not json" } },
          ],
        },
        "tool_calls",
        { prompt_tokens: 100, completion_tokens: 7, total_tokens: 107, prompt_tokens_details: { cached_tokens: 60 } },
      ),
    );
    expect(m).toEqual({
      id: "msg_chatcmpl-1",
      type: "message",
      role: "assistant",
      model: "gpt-x",
      content: [
        { type: "thinking", thinking: "hmm", signature: "" },
        { type: "text", text: "Checking." },
        toolUse("c1", "a", { x: 1 }),
        toolUse("c2", "b", { _raw: "not json" }),
      ],
      stop_reason: "tool_use",
      stop_sequence: null,
      usage: { input_tokens: 40, output_tokens: 7, cache_creation_input_tokens: 0, cache_read_input_tokens: 60 },
    });
  });
});

/** Runs OpenAI SSE data payloads through the OpenAI -> Anthropic stream and returns the events. */
function runOpenAIStream(payloads: unknown[], stripUsage = true) {
  const tr = new OpenAIToAnthropicStream(new OpenAIStreamTranslator(stripUsage), "requested");
  let out = "";
  for (const p of payloads) out += tr.push(Buffer.from(`data: ${typeof p === "string" ? p : JSON.stringify(p)}\n\n`));
  out += tr.end();
  const events = out
    .split("\n\n")
    .filter(Boolean)
    .map((e) => {
      const [name, data] = e.split("\n");
      return { event: name?.slice(7), data: JSON.parse(data?.slice(6) ?? "{}") };
    });
  for (const e of events) expect(e.data.type).toBe(e.event);
  return { tr, events };
}

describe("OpenAI chunks -> Anthropic event stream", () => {
  const chunk = (delta: object, finish: string | null = null) => ({
    id: "chatcmpl-9",
    model: "gpt-x",
    choices: [{ index: 0, delta, finish_reason: finish }],
  });

  it("text, then parallel tool calls with interleaved deltas, each landing in its own tool_use block", () => {
    const { events } = runOpenAIStream([
      chunk({ role: "assistant", content: "" }),
      chunk({ content: "Let me " }),
      chunk({ content: "check." }),
      chunk({ tool_calls: [{ index: 0, id: "c1", type: "function", function: { name: "a", arguments: "" } }] }),
      chunk({ tool_calls: [{ index: 1, id: "c2", type: "function", function: { name: "b", arguments: '{"y"' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '{"x":1}' } }] }),
      chunk({ tool_calls: [{ index: 1, function: { arguments: ":2}" } }] }),
      chunk({}, "tool_calls"),
      {
        id: "chatcmpl-9",
        model: "gpt-x",
        choices: [],
        usage: { prompt_tokens: 50, completion_tokens: 9, total_tokens: 59, prompt_tokens_details: { cached_tokens: 20 } },
      },
      "[DONE]",
    ]);
    const compact = events.map((e) => {
      const d = e.data;
      if (e.event === "content_block_start") return [e.event, d.index, d.content_block];
      if (e.event === "content_block_delta") return [e.event, d.index, d.delta];
      if (e.event === "content_block_stop") return [e.event, d.index];
      if (e.event === "message_delta") return [e.event, d.delta, d.usage];
      if (e.event === "message_start") return [e.event, d.message.id, d.message.model];
      return [e.event];
    });
    expect(compact).toEqual([
      ["message_start", "msg_chatcmpl-9", "gpt-x"],
      ["ping"],
      ["content_block_start", 0, { type: "text", text: "" }],
      ["content_block_delta", 0, { type: "text_delta", text: "Let me " }],
      ["content_block_delta", 0, { type: "text_delta", text: "check." }],
      ["content_block_stop", 0],
      ["content_block_start", 1, { type: "tool_use", id: "c1", name: "a", input: {} }],
      ["content_block_start", 2, { type: "tool_use", id: "c2", name: "b", input: {} }],
      ["content_block_delta", 2, { type: "input_json_delta", partial_json: '{"y"' }],
      ["content_block_delta", 1, { type: "input_json_delta", partial_json: '{"x":1}' }],
      ["content_block_delta", 2, { type: "input_json_delta", partial_json: ":2}" }],
      ["content_block_stop", 1],
      ["content_block_stop", 2],
      [
        "message_delta",
        { stop_reason: "tool_use", stop_sequence: null },
        { input_tokens: 30, output_tokens: 9, cache_creation_input_tokens: 0, cache_read_input_tokens: 20 },
      ],
      ["message_stop"],
    ]);
  });

  it("reasoning_content -> a thinking block before the text block; a stream without [DONE] still ends", () => {
    const { events } = runOpenAIStream([chunk({ reasoning_content: "hmm" }), chunk({ content: "ok" }), chunk({}, "length")]);
    const starts = events.filter((e) => e.event === "content_block_start").map((e) => e.data.content_block.type);
    expect(starts).toEqual(["thinking", "text"]);
    expect(events.find((e) => e.event === "content_block_delta")?.data.delta).toEqual({ type: "thinking_delta", thinking: "hmm" });
    expect(events.at(-2)?.data.delta.stop_reason).toBe("max_tokens");
    expect(events.at(-1)?.event).toBe("message_stop");
  });

  it("an in-band error -> event: error in Anthropic's envelope, and no message_stop", () => {
    const { events, tr } = runOpenAIStream([{ error: { message: "boom", type: "server_error", code: null } }]);
    expect(events.map((e) => e.event)).toEqual(["message_start", "ping", "error"]);
    expect(events.at(-1)?.data).toEqual({ type: "error", error: { type: "api_error", message: "boom" } });
    expect(tr.error).toBeDefined();
  });
});

describe("errors", () => {
  it.each([
    [
      400,
      { type: "error", error: { type: "invalid_request_error", message: "bad" } },
      400,
      "invalid_request_error",
      "invalid_request_error",
      false,
    ],
    [
      401,
      { type: "error", error: { type: "authentication_error", message: "key" } },
      401,
      "authentication_error",
      "authentication_error",
      false,
    ],
    [403, { type: "error", error: { type: "permission_error", message: "no" } }, 403, "permission_error", "permission_error", false],
    [404, { type: "error", error: { type: "not_found_error", message: "no" } }, 404, "not_found_error", "not_found_error", false],
    [
      413,
      { type: "error", error: { type: "request_too_large", message: "big" } },
      413,
      "invalid_request_error",
      "request_too_large",
      false,
    ],
    [429, { type: "error", error: { type: "rate_limit_error", message: "slow" } }, 429, "rate_limit_error", "rate_limit_error", true],
    [500, { type: "error", error: { type: "api_error", message: "oops" } }, 500, "server_error", "api_error", true],
    [529, { type: "error", error: { type: "overloaded_error", message: "Overloaded" } }, 503, "server_error", "overloaded_error", true],
    [502, "<html>bad gateway</html>", 502, "server_error", "api_error", true],
  ])("HTTP %i -> OpenAI status/type/code, retryable", (status, body, outStatus, type, code, retryable) => {
    const raw = typeof body === "string" ? body : JSON.stringify(body);
    expect(parseAnthropicError(status, Buffer.from(raw))).toMatchObject({ status: outStatus, type, code, retryable });
  });

  it.each([
    [503, "overloaded_error", 529, "overloaded_error"],
    [429, "rate_limit_exceeded", 429, "rate_limit_error"],
    [404, "model_not_found", 404, "not_found_error"],
    [401, "invalid_api_key", 401, "authentication_error"],
    [502, "upstream_unreachable", 502, "api_error"],
    [504, "upstream_timeout", 504, "timeout_error"],
  ])("router/OpenAI error %i %s -> Anthropic %i %s", (status, code, outStatus, type) => {
    expect(toAnthropicError(status, "m", code)).toEqual({ status: outStatus, body: { type: "error", error: { type, message: "m" } } });
  });
});

describe("native pass-through stream", () => {
  it("forwards bytes unchanged, records usage, and holds message_start until content so an early error can fail over", () => {
    const s = new AnthropicPassthroughStream();
    const start = ev("message_start", { message: { usage: { input_tokens: 7, cache_read_input_tokens: 3, output_tokens: 1 } } });
    expect(s.push(Buffer.from(start + ev("ping", {})))).toBe("");
    const block = ev("content_block_start", { index: 0, content_block: { type: "text", text: "", cache_control: null } });
    expect(s.push(Buffer.from(block))).toBe(start + ev("ping", {}) + block);
    s.push(Buffer.from(ev("message_delta", { delta: { stop_reason: "end_turn" }, usage: { output_tokens: 9 } })));
    expect(s.usage).toMatchObject({ prompt_tokens: 10, completion_tokens: 9, prompt_tokens_details: { cached_tokens: 3 } });

    const failing = new AnthropicPassthroughStream();
    const out = failing.push(Buffer.from(start + ev("error", { error: { type: "overloaded_error", message: "Overloaded" } })));
    expect(out).toContain("event: error");
    expect(failing.error).toMatchObject({ retryable: true, code: "overloaded_error" });
  });
});

describe("count_tokens estimate", () => {
  it("grows with text, images and tools", () => {
    const base = { messages: [{ role: "user" as const, content: "x".repeat(400) }] };
    const plain = estimateInputTokens(base);
    expect(plain).toBeGreaterThanOrEqual(100);
    const withImage = estimateInputTokens({
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "x".repeat(400) },
            { type: "image", source: { type: "url", url: "u" } },
          ],
        },
      ],
    });
    expect(withImage - plain).toBe(IMAGE_TOKENS);
    expect(estimateInputTokens({ ...base, tools: [{ name: "w", input_schema: { type: "object" } }] })).toBeGreaterThan(plain);
  });
});
