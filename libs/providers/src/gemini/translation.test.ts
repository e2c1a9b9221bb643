import type { ChatCompletionRequest } from "@ai-router/contracts";
import { RouterError } from "@ai-router/errors";
import { describe, expect, it } from "vitest";
import type { RuntimeProvider, TargetContext } from "../adapter.js";
import { parseSseEvent, SseSplitter } from "../sse.js";
import type { GeminiRequest, GeminiResponse } from "./api.js";
import { geminiPath } from "./api.js";
import { parseGeminiError } from "./errors.js";
import { geminiAdapter } from "./index.js";
import { GeminiStreamTranslator } from "./stream.js";
import { SKIP_THOUGHT_SIGNATURE, toGeminiRequest } from "./to-gemini.js";
import { toOpenAICompletion } from "./to-openai.js";

// Fixtures in, expected wire out, for every mapping in both directions (see docs/gemini.md).

type Msg = ChatCompletionRequest["messages"][number];
const user = (content: unknown) => ({ role: "user", content }) as Msg;
const req = (fields: Record<string, unknown>): ChatCompletionRequest =>
  ({ model: "m", messages: [user("hi")], ...fields }) as ChatCompletionRequest;
const fn = (name: string, parameters: Record<string, unknown> = { type: "object", properties: { q: { type: "string" } } }) => ({
  type: "function" as const,
  function: { name, parameters },
});
const hi = [{ role: "user", parts: [{ text: "hi" }] }];
const call = (id: string, name: string, args: string, extra?: unknown) => ({
  id,
  type: "function",
  function: { name, arguments: args },
  ...(extra ? { extra_content: extra } : {}),
});

describe("OpenAI request -> Gemini request", () => {
  const cases: [string, ChatCompletionRequest, GeminiRequest, string[]?][] = [
    [
      "system and developer messages lift into systemInstruction; no generationConfig when nothing is set",
      req({ messages: [{ role: "system", content: "A" }, { role: "developer", content: [{ type: "text", text: "B" }] }, user("hi")] }),
      { contents: hi as GeminiRequest["contents"], systemInstruction: { parts: [{ text: "A" }, { text: "B" }] } },
    ],
    [
      "assistant -> model; consecutive same-role messages merge into one turn",
      req({ messages: [user("a"), user("b"), { role: "assistant", content: "c" }, { role: "assistant", content: "d" }, user("e")] }),
      {
        contents: [
          { role: "user", parts: [{ text: "a" }, { text: "b" }] },
          { role: "model", parts: [{ text: "c" }, { text: "d" }] },
          { role: "user", parts: [{ text: "e" }] },
        ],
      },
    ],
    [
      "sampling and limits -> generationConfig (max_completion_tokens wins, stop string -> list, n -> candidateCount)",
      req({ max_tokens: 10, max_completion_tokens: 20, temperature: 0.2, top_p: 0.9, top_k: 40, stop: "END", n: 2, seed: 7 }),
      {
        contents: hi as GeminiRequest["contents"],
        generationConfig: {
          temperature: 0.2,
          topP: 0.9,
          topK: 40,
          maxOutputTokens: 20,
          stopSequences: ["END"],
          candidateCount: 2,
          seed: 7,
        },
      },
    ],
    [
      "presence and frequency penalties -> presencePenalty / frequencyPenalty; zeros send nothing",
      req({ presence_penalty: 0.5, frequency_penalty: 0, n: 1 }),
      { contents: hi as GeminiRequest["contents"], generationConfig: { presencePenalty: 0.5 } },
    ],
    [
      "images: data URL -> inlineData, URL -> fileData (mimeType from the extension when it names one); audio -> inlineData",
      req({
        messages: [
          user([
            { type: "text", text: "look" },
            { type: "image_url", image_url: { url: "data:image/jpeg;base64,/9j/4AAQ" } },
            { type: "image_url", image_url: { url: "https://x.test/a.PNG?v=1" } },
            { type: "image_url", image_url: { url: "https://generativelanguage.googleapis.com/v1beta/files/abc" } },
            { type: "input_audio", input_audio: { data: "UklGRg==", format: "wav" } },
          ]),
        ],
      }),
      {
        contents: [
          {
            role: "user",
            parts: [
              { text: "look" },
              { inlineData: { mimeType: "image/jpeg", data: "/9j/4AAQ" } },
              { fileData: { mimeType: "image/png", fileUri: "https://x.test/a.PNG?v=1" } },
              { fileData: { fileUri: "https://generativelanguage.googleapis.com/v1beta/files/abc" } },
              { inlineData: { mimeType: "audio/wav", data: "UklGRg==" } },
            ],
          },
        ],
      },
    ],
    [
      "tool calls -> functionCall parts (first signed with the documented placeholder); tool results -> functionResponse by name, merged with the next user text",
      req({
        messages: [
          user("go"),
          { role: "assistant", content: null, tool_calls: [call("c1", "a", '{"x":1}'), call("c2", "b", "")] },
          { role: "tool", tool_call_id: "c1", content: '{"temp":21}' },
          {
            role: "tool",
            tool_call_id: "c2",
            content: [
              { type: "text", text: "plain " },
              { type: "text", text: "text" },
            ],
          },
          user("thanks"),
        ],
      }),
      {
        contents: [
          { role: "user", parts: [{ text: "go" }] },
          {
            role: "model",
            parts: [
              { functionCall: { name: "a", args: { x: 1 } }, thoughtSignature: SKIP_THOUGHT_SIGNATURE },
              { functionCall: { name: "b", args: {} } },
            ],
          },
          {
            role: "user",
            parts: [
              { functionResponse: { name: "a", response: { temp: 21 } } },
              { functionResponse: { name: "b", response: { content: "plain text" } } },
              { text: "thanks" },
            ],
          },
        ],
      },
    ],
    [
      "a JSON array or number result is not an object: wrapped as {content}",
      req({
        messages: [
          user("go"),
          { role: "assistant", content: "calling", tool_calls: [call("c1", "a", "{}")] },
          { role: "tool", tool_call_id: "c1", content: "[1,2]" },
        ],
      }),
      {
        contents: [
          { role: "user", parts: [{ text: "go" }] },
          {
            role: "model",
            parts: [{ text: "calling" }, { functionCall: { name: "a", args: {} }, thoughtSignature: SKIP_THOUGHT_SIGNATURE }],
          },
          { role: "user", parts: [{ functionResponse: { name: "a", response: { content: "[1,2]" } } }] },
        ],
      },
    ],
    [
      "a thought signature Gemini gave (extra_content.google) goes back on its call",
      req({
        messages: [
          user("go"),
          {
            role: "assistant",
            content: null,
            tool_calls: [call("c1", "a", "{}", { google: { thought_signature: "SIG1" } }), call("c2", "b", "{}")],
          },
          { role: "tool", tool_call_id: "c1", content: "1" },
          { role: "tool", tool_call_id: "c2", content: "2" },
        ],
      }),
      {
        contents: [
          { role: "user", parts: [{ text: "go" }] },
          {
            role: "model",
            parts: [{ functionCall: { name: "a", args: {} }, thoughtSignature: "SIG1" }, { functionCall: { name: "b", args: {} } }],
          },
          {
            role: "user",
            parts: [
              { functionResponse: { name: "a", response: { content: "1" } } },
              { functionResponse: { name: "b", response: { content: "2" } } },
            ],
          },
        ],
      },
    ],
    [
      "tools -> functionDeclarations: JSON Schema cleaned for Gemini's Schema; a function without arguments has no parameters",
      req({
        tools: [
          {
            type: "function",
            function: {
              name: "w",
              description: "d",
              strict: true,
              parameters: {
                $schema: "http://json-schema.org/draft-07/schema#",
                type: "object",
                additionalProperties: false,
                properties: {
                  city: { type: ["string", "null"], description: "c" },
                  unit: { const: "C" },
                  where: { $ref: "#/$defs/Place" },
                  tags: { type: "array", items: { type: "object", properties: {}, additionalProperties: { type: "string" } } },
                },
                required: ["city", "ghost"],
                $defs: { Place: { type: "object", properties: { lat: { type: "number" } }, additionalProperties: false } },
              },
            },
          },
          fn("t", { type: "object", properties: {} }),
        ],
      }),
      {
        contents: hi as GeminiRequest["contents"],
        tools: [
          {
            functionDeclarations: [
              {
                name: "w",
                description: "d",
                parameters: {
                  type: "object",
                  properties: {
                    city: { type: "string", nullable: true, description: "c" },
                    unit: { enum: ["C"] },
                    where: { type: "object", properties: { lat: { type: "number" } } },
                    tags: { type: "array", items: { type: "object" } },
                  },
                  required: ["city"],
                },
              },
              { name: "t" },
            ],
          },
        ],
      },
    ],
    [
      "tool_choice auto -> AUTO",
      req({ tools: [fn("w")], tool_choice: "auto" }),
      {
        contents: hi,
        tools: [{ functionDeclarations: [{ name: "w", parameters: fn("w").function.parameters }] }],
        toolConfig: { functionCallingConfig: { mode: "AUTO" } },
      } as GeminiRequest,
    ],
    [
      "tool_choice none -> NONE",
      req({ tools: [fn("w")], tool_choice: "none" }),
      {
        contents: hi,
        tools: [{ functionDeclarations: [{ name: "w", parameters: fn("w").function.parameters }] }],
        toolConfig: { functionCallingConfig: { mode: "NONE" } },
      } as GeminiRequest,
    ],
    [
      "tool_choice required -> ANY",
      req({ tools: [fn("w")], tool_choice: "required" }),
      {
        contents: hi,
        tools: [{ functionDeclarations: [{ name: "w", parameters: fn("w").function.parameters }] }],
        toolConfig: { functionCallingConfig: { mode: "ANY" } },
      } as GeminiRequest,
    ],
    [
      "tool_choice by name -> ANY with allowedFunctionNames",
      req({ tools: [fn("w")], tool_choice: { type: "function", function: { name: "w" } } }),
      {
        contents: hi,
        tools: [{ functionDeclarations: [{ name: "w", parameters: fn("w").function.parameters }] }],
        toolConfig: { functionCallingConfig: { mode: "ANY", allowedFunctionNames: ["w"] } },
      } as GeminiRequest,
    ],
    [
      "response_format json_object -> responseMimeType",
      req({ response_format: { type: "json_object" } }),
      { contents: hi as GeminiRequest["contents"], generationConfig: { responseMimeType: "application/json" } },
    ],
    [
      "response_format json_schema -> responseJsonSchema, schema untouched",
      req({
        response_format: {
          type: "json_schema",
          json_schema: { name: "x", schema: { type: "object", additionalProperties: false, properties: {} } },
        },
      }),
      {
        contents: hi as GeminiRequest["contents"],
        generationConfig: {
          responseMimeType: "application/json",
          responseJsonSchema: { type: "object", additionalProperties: false, properties: {} },
        },
      },
    ],
    [
      "fields Gemini cannot carry are reported, not sent",
      req({
        logit_bias: { "1": 2 },
        user: "u",
        parallel_tool_calls: false,
        logprobs: true,
        messages: [{ role: "user", content: "hi", name: "bob" }],
      }),
      { contents: hi as GeminiRequest["contents"] },
      ["logit_bias", "user", "parallel_tool_calls", "logprobs", "messages.name"],
    ],
    [
      "defaults that change nothing are not reported",
      req({
        parallel_tool_calls: true,
        logprobs: false,
        store: false,
        n: 1,
        presence_penalty: 0,
        stream: true,
        stream_options: { include_usage: true },
      }),
      { contents: hi as GeminiRequest["contents"] },
      [],
    ],
  ];
  it.each(cases)("%s", (_name, input, expected, dropped) => {
    const out = toGeminiRequest(input, "gemini-2.5-flash");
    expect(out.body).toEqual(expected);
    if (dropped) expect(out.dropped).toEqual(dropped);
  });

  it.each([
    ["gemini-2.5-flash", "low", { includeThoughts: true, thinkingBudget: 1024 }],
    ["gemini-2.5-pro", "high", { includeThoughts: true, thinkingBudget: 24576 }],
    ["gemini-2.5-flash", "none", { thinkingBudget: 0 }],
    ["gemini-3-pro-preview", "low", { includeThoughts: true, thinkingLevel: "low" }],
    ["gemini-3-flash-preview", "minimal", { includeThoughts: true, thinkingLevel: "minimal" }],
  ])("reasoning_effort on %s (%s) -> thinkingConfig", (model, effort, thinking) => {
    expect(toGeminiRequest(req({ reasoning_effort: effort }), model).body.generationConfig).toEqual({ thinkingConfig: thinking });
  });

  it("rejects a tool result whose call is unknown, and arguments that are not a JSON object", () => {
    expect(() => toGeminiRequest(req({ messages: [user("x"), { role: "tool", tool_call_id: "nope", content: "r" }] }), "g")).toThrow(
      RouterError,
    );
    const bad = req({ messages: [user("x"), { role: "assistant", content: null, tool_calls: [call("c", "a", "[1]")] }] });
    expect(() => toGeminiRequest(bad, "g")).toThrow(/not a JSON object/);
  });

  it("refuses with a 400 a tool schema whose $refs expand exponentially, without doing the work", () => {
    // The review's 339-byte schema: every definition uses the next one five times, eight levels deep
    // (2.4 million nodes once inlined; twelve properties would exhaust memory).
    const props = (ref: string) => Object.fromEntries(["a", "b", "c", "d", "e"].map((k) => [k, { $ref: ref }]));
    const $defs = Object.fromEntries(
      Array.from({ length: 9 }, (_, i) => [`n${i}`, { type: "object", properties: props(`#/$defs/n${i + 1}`) }]),
    );
    const bomb = { type: "object", properties: props("#/$defs/n0"), $defs };
    expect(JSON.stringify(bomb).length).toBeLessThan(2_000);
    let err: unknown;
    try {
      toGeminiRequest(req({ tools: [fn("fine"), fn("bomb", bomb)] }), "g");
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RouterError);
    expect(err).toMatchObject({ status: 400, param: "tools[1].function.parameters" });
    expect((err as Error).message).toMatch(/more than 10000 nodes once its \$refs are inlined/);
    // A schema nested beyond the limit is refused the same way (never a stack overflow).
    let deep: Record<string, unknown> = { type: "string" };
    for (let i = 0; i < 5_000; i++) deep = { type: "array", items: deep };
    expect(() => toGeminiRequest(req({ tools: [fn("deep", { type: "object", properties: { x: deep } })] }), "g")).toThrow(
      /nests deeper than 64 levels/,
    );
    // Shared definitions of an ordinary size still inline.
    const ok = toGeminiRequest(
      req({ tools: [fn("ok", { type: "object", properties: props("#/$defs/leaf"), $defs: { leaf: { type: "string" } } })] }),
      "g",
    );
    expect(ok.body.tools?.[0]?.functionDeclarations[0]?.parameters).toMatchObject({
      properties: { a: { type: "string" }, e: { type: "string" } },
    });
  });
});

const provider = (baseUrl: string): RuntimeProvider => {
  const u = new URL(baseUrl);
  return {
    name: "g",
    type: "gemini",
    baseUrl,
    apiKeys: ["AIza-k"],
    timeoutMs: 1000,
    connectTimeoutMs: 1000,
    headers: {},
    streamUsage: true,
    maxConnections: 1,
    origin: u.origin,
    basePath: u.pathname.replace(/\/+$/, ""),
  };
};
const target = (
  model = "gemini-2.5-flash",
  params: Record<string, unknown> = {},
  base = "https://generativelanguage.googleapis.com/v1beta",
): TargetContext => ({
  provider: provider(base),
  apiKey: "AIza-k",
  upstreamModel: model,
  params,
  clientHeaders: {},
});

describe("Gemini upstream request", () => {
  it.each([
    ["/v1beta", "gemini-2.5-flash", "generateContent", "/models/gemini-2.5-flash:generateContent"],
    ["/v1beta", "models/gemini-2.5-flash", "streamGenerateContent", "/models/gemini-2.5-flash:streamGenerateContent?alt=sse"],
    ["", "gemini-2.5-flash", "generateContent", "/v1beta/models/gemini-2.5-flash:generateContent"],
    ["/gateway/google", "gemini-2.5-flash", "generateContent", "/v1beta/models/gemini-2.5-flash:generateContent"],
    ["/v1", "tunedModels/my-model-7", "generateContent", "/tunedModels/my-model-7:generateContent"],
  ] as const)("base %j + model %s (%s) -> %s", (base, model, method, path) => {
    expect(geminiPath(base, model, method)).toBe(path);
  });

  it("puts the key in x-goog-api-key (never in the URL), the model in the path, defaults under the client's fields", () => {
    const built = geminiAdapter.buildChatRequest(
      req({ temperature: 0.1, stream: true }),
      target("gemini-2.5-pro", { temperature: 1, max_tokens: 50 }),
      {
        stream: true,
        clientWantsUsage: false,
      },
    );
    expect(built.request.path).toBe("/models/gemini-2.5-pro:streamGenerateContent?alt=sse");
    expect(built.request.headers["x-goog-api-key"]).toBe("AIza-k");
    expect(built.request.headers.authorization).toBeUndefined();
    expect(built.request.path).not.toContain("key=");
    expect(JSON.parse(String(built.request.body)).generationConfig).toEqual({ temperature: 0.1, maxOutputTokens: 50 });
    expect(built.stripUsage).toBe(true);
  });
});

const usage = {
  promptTokenCount: 100,
  candidatesTokenCount: 20,
  totalTokenCount: 150,
  cachedContentTokenCount: 60,
  thoughtsTokenCount: 30,
};
const resp = (parts: unknown[], finishReason = "STOP", extra: Record<string, unknown> = {}): GeminiResponse =>
  ({
    candidates: [{ content: { role: "model", parts }, finishReason, index: 0 }],
    usageMetadata: usage,
    modelVersion: "gemini-2.5-flash-001",
    responseId: "resp-1",
    ...extra,
  }) as GeminiResponse;
const choice0 = (r: GeminiResponse) =>
  (toOpenAICompletion(r, "fallback", 1).choices as Record<string, unknown>[])[0] as Record<string, unknown>;

describe("Gemini response -> OpenAI chat.completion", () => {
  it("joins text parts; responseId, modelVersion and usage (cached, thoughts in completion) carried", () => {
    const out = toOpenAICompletion(resp([{ text: "Hello " }, { text: "world", thoughtSignature: "s" }]), "fallback", 1);
    expect(out).toEqual({
      id: "resp-1",
      object: "chat.completion",
      created: 1,
      model: "gemini-2.5-flash-001",
      choices: [{ index: 0, message: { role: "assistant", content: "Hello world", refusal: null }, logprobs: null, finish_reason: "stop" }],
      usage: {
        prompt_tokens: 100,
        completion_tokens: 50,
        total_tokens: 150,
        prompt_tokens_details: { cached_tokens: 60 },
        completion_tokens_details: { reasoning_tokens: 30 },
      },
    });
  });

  it("function calls -> tool_calls with call_ ids and JSON string arguments; STOP becomes tool_calls; signature kept", () => {
    const c = choice0(
      resp([{ functionCall: { name: "a", args: { city: "Paris" } }, thoughtSignature: "SIG" }, { functionCall: { name: "b" } }]),
    );
    expect(c.finish_reason).toBe("tool_calls");
    const msg = c.message as { content: unknown; tool_calls: { id: string; function: unknown; extra_content?: unknown }[] };
    expect(msg.content).toBeNull();
    expect(msg.tool_calls.map((t) => t.function)).toEqual([
      { name: "a", arguments: '{"city":"Paris"}' },
      { name: "b", arguments: "{}" },
    ]);
    expect(msg.tool_calls[0]?.extra_content).toEqual({ google: { thought_signature: "SIG" } });
    expect(msg.tool_calls[1]?.extra_content).toBeUndefined();
    for (const t of msg.tool_calls) expect(t.id).toMatch(/^call_[\w-]{16}$/);
    expect(new Set(msg.tool_calls.map((t) => t.id)).size).toBe(2);
  });

  it("thought parts -> reasoning_content, kept out of content", () => {
    const msg = choice0(resp([{ text: "Pondering.", thought: true }, { text: "42" }])).message;
    expect(msg).toEqual({ role: "assistant", content: "42", refusal: null, reasoning_content: "Pondering." });
  });

  it.each([
    ["STOP", "stop"],
    ["MAX_TOKENS", "length"],
    ["SAFETY", "content_filter"],
    ["RECITATION", "content_filter"],
    ["BLOCKLIST", "content_filter"],
    ["PROHIBITED_CONTENT", "content_filter"],
    ["SPII", "content_filter"],
    ["LANGUAGE", "stop"],
    ["OTHER", "stop"],
    ["MALFORMED_FUNCTION_CALL", "stop"],
  ])("finishReason %s -> %s", (reason, expected) => {
    expect(choice0(resp([{ text: "x" }], reason)).finish_reason).toBe(expected);
  });

  it("a candidate stopped by SAFETY with no content has null content", () => {
    const r = { candidates: [{ finishReason: "SAFETY", index: 0 }], usageMetadata: { promptTokenCount: 5, totalTokenCount: 5 } };
    expect(choice0(r as GeminiResponse)).toEqual({
      index: 0,
      message: { role: "assistant", content: null, refusal: null },
      logprobs: null,
      finish_reason: "content_filter",
    });
  });

  it("a blocked prompt (promptFeedback.blockReason, no candidates) is an empty content_filter answer with its usage", () => {
    const out = toOpenAICompletion(
      { promptFeedback: { blockReason: "SAFETY" }, usageMetadata: { promptTokenCount: 9, totalTokenCount: 9 } },
      "gemini-x",
      1,
    );
    expect(out.model).toBe("gemini-x");
    expect((out.choices as unknown[])[0]).toEqual({
      index: 0,
      message: { role: "assistant", content: null, refusal: null },
      logprobs: null,
      finish_reason: "content_filter",
    });
    expect(out.usage).toEqual({ prompt_tokens: 9, completion_tokens: 0, total_tokens: 9, prompt_tokens_details: { cached_tokens: 0 } });
  });

  it("several candidates -> one choice each, by index", () => {
    const r = { candidates: [0, 1].map((index) => ({ content: { parts: [{ text: `v${index}` }] }, finishReason: "STOP", index })) };
    const choices = toOpenAICompletion(r as GeminiResponse, "m", 1).choices as { index: number; message: { content: string } }[];
    expect(choices.map((c) => [c.index, c.message.content])).toEqual([
      [0, "v0"],
      [1, "v1"],
    ]);
  });

  it("parseChatResponse returns the bytes and the usage for accounting", () => {
    const parsed = geminiAdapter.parseChatResponse(Buffer.from(JSON.stringify(resp([{ text: "ok" }]))), target());
    expect(JSON.parse(parsed.body.toString()).choices[0].message.content).toBe("ok");
    expect(parsed.usage?.completion_tokens).toBe(50);
  });
});

// ---- streams ----------------------------------------------------------------------------------

const sse = (events: unknown[], sep = "\r\n\r\n") => Buffer.from(events.map((e) => `data: ${JSON.stringify(e)}${sep}`).join(""));
const ev = (parts: unknown[], finishReason?: string, u: Record<string, unknown> = { promptTokenCount: 10, totalTokenCount: 10 }) => ({
  candidates: [{ content: { role: "model", parts }, ...(finishReason ? { finishReason, index: 0 } : {}) }],
  usageMetadata: u,
  modelVersion: "gemini-2.5-flash-001",
  responseId: "r-9",
});

interface Chunk {
  id: string;
  created: number;
  model: string;
  choices: {
    index: number;
    delta: {
      role?: string;
      content?: string;
      reasoning_content?: string;
      tool_calls?: { index: number; id: string; type: string; function: { name: string; arguments: string } }[];
    };
    finish_reason: string | null;
  }[];
  usage?: unknown;
}

/** Feeds `body` in pieces of `size` bytes (cutting through JSON and UTF-8 characters alike). */
function run(body: Buffer, size: number, includeUsage = true) {
  const tr = new GeminiStreamTranslator(includeUsage, "fallback-model");
  let out = "";
  for (let i = 0; i < body.length; i += size) out += tr.push(body.subarray(i, i + size));
  out += tr.end();
  const split = new SseSplitter();
  const data = [...split.push(out), ...split.flush()].map((e) => parseSseEvent(e).data);
  const chunks = data.filter((d) => d !== "[DONE]").map((d) => JSON.parse(d) as Chunk);
  return { data, chunks, tr, out };
}

const textStream = sse([
  ev([{ text: "Héllo " }]),
  ev([{ text: "wörld 👋" }]),
  ev([{ text: "!" }], "STOP", { promptTokenCount: 10, candidatesTokenCount: 4, totalTokenCount: 14, cachedContentTokenCount: 2 }),
]);

describe("Gemini stream -> OpenAI chunks", () => {
  it.each([1, 3, 7, 13, 64, 4096])("text, split every %i bytes: role first, deltas, stop, usage chunk, [DONE]", (size) => {
    const { data, chunks, tr } = run(textStream, size);
    expect(data.at(-1)).toBe("[DONE]");
    expect(chunks[0]?.choices[0]?.delta).toEqual({ role: "assistant", content: "", refusal: null });
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? "").join("")).toBe("Héllo wörld 👋!");
    expect(chunks.filter((c) => c.choices[0]?.finish_reason).map((c) => c.choices[0]?.finish_reason)).toEqual(["stop"]);
    const last = chunks.at(-1) as Chunk;
    expect(last.choices).toEqual([]);
    expect(last.usage).toEqual({ prompt_tokens: 10, completion_tokens: 4, total_tokens: 14, prompt_tokens_details: { cached_tokens: 2 } });
    expect(tr.usage?.total_tokens).toBe(14);
    expect(new Set(chunks.map((c) => `${c.id}|${c.created}|${c.model}`))).toEqual(
      new Set([`r-9|${chunks[0]?.created}|gemini-2.5-flash-001`]),
    );
    expect(chunks.slice(0, -1).every((c) => c.usage === null)).toBe(true);
  });

  it("accepts LF-only event separators too", () => {
    expect(
      run(sse([ev([{ text: "a" }], "STOP")], "\n\n"), 5)
        .chunks.map((c) => c.choices[0]?.delta.content ?? "")
        .join(""),
    ).toBe("a");
  });

  it("without include_usage: no usage chunk, no usage field, but usage kept for the record", () => {
    const { chunks, tr } = run(textStream, 11, false);
    expect(chunks.some((c) => "usage" in c)).toBe(false);
    expect(tr.usage?.completion_tokens).toBe(4);
  });

  it("parallel function calls in one event: indexes 0 and 1, each whole (id, name, full arguments); finish tool_calls", () => {
    const body = sse([
      ev(
        [
          { functionCall: { name: "get_weather", args: { city: "Paris" } }, thoughtSignature: "S1" },
          { functionCall: { name: "get_time", args: {} } },
        ],
        "STOP",
      ),
    ]);
    const { chunks } = run(body, 9);
    const calls = chunks.flatMap((c) => c.choices[0]?.delta.tool_calls ?? []);
    expect(calls.map((c) => [c.index, c.type, c.function.name, c.function.arguments])).toEqual([
      [0, "function", "get_weather", '{"city":"Paris"}'],
      [1, "function", "get_time", "{}"],
    ]);
    expect(calls.every((c) => c.id.startsWith("call_"))).toBe(true);
    expect((calls[0] as unknown as { extra_content: unknown }).extra_content).toEqual({ google: { thought_signature: "S1" } });
    expect(chunks.find((c) => c.choices[0]?.finish_reason)?.choices[0]?.finish_reason).toBe("tool_calls");
  });

  it("function calls in separate events get successive indexes", () => {
    const body = sse([
      ev([{ text: "Let me check." }]),
      ev([{ functionCall: { name: "a", args: { n: 1 } } }]),
      ev([{ functionCall: { name: "b", args: { n: 2 } } }], "STOP"),
    ]);
    const calls = run(body, 17).chunks.flatMap((c) => c.choices[0]?.delta.tool_calls ?? []);
    expect(calls.map((c) => [c.index, c.function.name])).toEqual([
      [0, "a"],
      [1, "b"],
    ]);
  });

  it("thought parts stream as reasoning_content; thoughts count in completion_tokens", () => {
    const body = sse([
      ev([{ text: "Hmm.", thought: true }]),
      ev([{ text: "42" }], "STOP", { promptTokenCount: 3, candidatesTokenCount: 1, thoughtsTokenCount: 5, totalTokenCount: 9 }),
    ]);
    const { chunks, tr } = run(body, 6);
    expect(chunks.map((c) => c.choices[0]?.delta.reasoning_content ?? "").join("")).toBe("Hmm.");
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? "").join("")).toBe("42");
    expect(tr.usage?.completion_tokens).toBe(6);
    expect(tr.usage?.completion_tokens_details?.reasoning_tokens).toBe(5);
  });

  it.each([
    ["MAX_TOKENS", "length"],
    ["SAFETY", "content_filter"],
  ])("finishReason %s -> %s", (reason, expected) => {
    const { chunks } = run(sse([ev([{ text: "x" }], reason)]), 8);
    expect(chunks.find((c) => c.choices[0]?.finish_reason)?.choices[0]?.finish_reason).toBe(expected);
  });

  it("a blocked prompt streams a content_filter finish", () => {
    const { chunks, data } = run(
      sse([{ promptFeedback: { blockReason: "PROHIBITED_CONTENT" }, usageMetadata: { promptTokenCount: 4 } }]),
      10,
    );
    expect(chunks[0]?.choices[0]?.delta.role).toBe("assistant");
    expect(chunks.find((c) => c.choices[0]?.finish_reason)?.choices[0]?.finish_reason).toBe("content_filter");
    expect(data.at(-1)).toBe("[DONE]");
  });

  it("a stream that ends without finishReason still closes the choice", () => {
    const { chunks } = run(sse([ev([{ text: "partial" }])]), 8, false);
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe("stop");
  });

  it("an in-band error first: reported, retryable, nothing else written, no [DONE]", () => {
    const body = sse([{ error: { code: 503, message: "The model is overloaded. Please try again later.", status: "UNAVAILABLE" } }]);
    const { data, tr } = run(body, 7);
    expect(tr.error).toMatchObject({ status: 503, code: "UNAVAILABLE", type: "server_error", retryable: true });
    expect(data).toEqual([
      JSON.stringify({
        error: { message: "The model is overloaded. Please try again later.", type: "server_error", param: null, code: "UNAVAILABLE" },
      }),
    ]);
  });
});

describe("Gemini errors -> UpstreamError", () => {
  const body = (code: number, status: string, message = `says ${status}`) =>
    Buffer.from(JSON.stringify({ error: { code, message, status } }));
  it.each([
    [400, "INVALID_ARGUMENT", "invalid_request_error", false],
    [400, "FAILED_PRECONDITION", "invalid_request_error", false],
    [403, "PERMISSION_DENIED", "permission_error", false],
    [404, "NOT_FOUND", "not_found_error", false],
    [429, "RESOURCE_EXHAUSTED", "rate_limit_error", true],
    [500, "INTERNAL", "server_error", true],
    [503, "UNAVAILABLE", "server_error", true],
    [504, "DEADLINE_EXCEEDED", "server_error", true],
  ] as const)("%i %s -> %s (retryable %s), code = the status name", (status, name, type, retryable) => {
    expect(parseGeminiError(status, body(status, name))).toEqual({
      status,
      message: `says ${name}`,
      type,
      code: name,
      param: null,
      retryable,
    });
  });

  it("an invalid key (400 with reason API_KEY_INVALID) is an authentication_error", () => {
    const b = { error: { code: 400, message: "API key not valid.", status: "INVALID_ARGUMENT", details: [{ reason: "API_KEY_INVALID" }] } };
    expect(parseGeminiError(400, Buffer.from(JSON.stringify(b)))).toMatchObject({
      status: 400,
      type: "authentication_error",
      retryable: false,
    });
  });

  it("reads the array-framed envelope and survives a body that is not JSON", () => {
    expect(
      parseGeminiError(429, Buffer.from(JSON.stringify([{ error: { code: 429, message: "slow down", status: "RESOURCE_EXHAUSTED" } }])))
        .message,
    ).toBe("slow down");
    expect(parseGeminiError(502, Buffer.from("<html>Bad Gateway</html>"))).toMatchObject({
      status: 502,
      message: "upstream returned HTTP 502: <html>Bad Gateway</html>",
      type: "server_error",
      code: null,
      retryable: true,
    });
  });
});
