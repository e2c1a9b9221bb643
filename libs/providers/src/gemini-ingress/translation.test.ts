import { describe, expect, it } from "vitest";
import { OpenAIStreamTranslator } from "../openai-base/stream.js";
import { chatToGemini, toGeminiUsage } from "./from-chat.js";
import { GeminiStreamEncoder } from "./stream.js";
import { effortOf, type GeminiIngressRequest, geminiToChat } from "./to-chat.js";

describe("Gemini request -> chat request", () => {
  const cases: [string, GeminiIngressRequest, Record<string, unknown>, string[]][] = [
    [
      "system instruction, text turns, images inline and by URI",
      {
        systemInstruction: { parts: [{ text: "Be brief." }] },
        contents: [
          {
            role: "user",
            parts: [
              { text: "look" },
              { inlineData: { mimeType: "image/png", data: "AAAA" } },
              { fileData: { mimeType: "image/jpeg", fileUri: "https://x/y.jpg" } },
            ],
          },
        ],
      },
      {
        messages: [
          { role: "system", content: "Be brief." },
          {
            role: "user",
            content: [
              { type: "text", text: "look" },
              { type: "image_url", image_url: { url: "data:image/png;base64,AAAA" } },
              { type: "image_url", image_url: { url: "https://x/y.jpg" } },
            ],
          },
        ],
      },
      [],
    ],
    [
      "parallel function calls get ids; each functionResponse answers the oldest open call of its name",
      {
        contents: [
          { role: "user", parts: [{ text: "go" }] },
          {
            role: "model",
            parts: [{ functionCall: { name: "a", args: { x: 1 } }, thoughtSignature: "SIG" }, { functionCall: { name: "b", args: {} } }],
          },
          {
            role: "user",
            parts: [{ functionResponse: { name: "b", response: { r: 2 } } }, { functionResponse: { name: "a", response: { r: 1 } } }],
          },
        ],
      },
      {
        messages: [
          { role: "user", content: "go" },
          {
            role: "assistant",
            content: null,
            tool_calls: [
              {
                id: "call_0",
                type: "function",
                function: { name: "a", arguments: '{"x":1}' },
                extra_content: { google: { thought_signature: "SIG" } },
              },
              { id: "call_1", type: "function", function: { name: "b", arguments: "{}" } },
            ],
          },
          { role: "tool", tool_call_id: "call_1", content: '{"r":2}' },
          { role: "tool", tool_call_id: "call_0", content: '{"r":1}' },
        ],
      },
      [],
    ],
    [
      "tools (Gemini schema types lowered), tool config, generation config, thinking budget",
      {
        contents: [{ role: "user", parts: [{ text: "x" }] }],
        tools: [
          { functionDeclarations: [{ name: "f", parameters: { type: "OBJECT", properties: { c: { type: "STRING", nullable: true } } } }] },
          { googleSearch: {} },
        ],
        toolConfig: { functionCallingConfig: { mode: "ANY", allowedFunctionNames: ["f"] } },
        generationConfig: {
          temperature: 0.2,
          topP: 0.9,
          maxOutputTokens: 64,
          stopSequences: ["END"],
          thinkingConfig: { thinkingBudget: 20000 },
          topK: 3,
        },
      },
      {
        tools: [
          { type: "function", function: { name: "f", parameters: { type: "object", properties: { c: { type: ["string", "null"] } } } } },
        ],
        tool_choice: { type: "function", function: { name: "f" } },
        temperature: 0.2,
        top_p: 0.9,
        max_tokens: 64,
        stop: ["END"],
        reasoning_effort: "high",
      },
      ["tools.googleSearch", "generationConfig.topK"],
    ],
    [
      "JSON output: responseJsonSchema -> json_schema, responseMimeType alone -> json_object",
      { contents: [{ role: "user", parts: [{ text: "x" }] }], generationConfig: { responseMimeType: "application/json" } },
      { response_format: { type: "json_object" } },
      [],
    ],
  ];
  it.each(cases)("%s", (_n, r, expected, dropped) => {
    const out = geminiToChat(r, "m", false);
    expect(out.req).toMatchObject(expected);
    expect(out.dropped).toEqual(dropped);
  });

  it("maps thinking budgets and levels to an effort", () => {
    expect([0, 512, 4000, 30000, -1].map((b) => effortOf({ thinkingBudget: b }))).toEqual(["none", "low", "medium", "high", "medium"]);
    expect(effortOf({ thinkingLevel: "LOW" })).toBe("low");
  });

  it("refuses a request without contents", () => {
    expect(() => geminiToChat({}, "m", false)).toThrow(/contents/);
  });
});

describe("chat answer -> Gemini response", () => {
  it("text, thought, function calls with their signatures, finish reason, usage", () => {
    const r = chatToGemini(
      {
        choices: [
          {
            message: {
              content: "hi",
              reasoning_content: "hmm",
              tool_calls: [
                { id: "c1", function: { name: "f", arguments: '{"a":1}' }, extra_content: { google: { thought_signature: "S" } } },
              ],
            },
            finish_reason: "tool_calls",
          },
        ],
        usage: { prompt_tokens: 5, completion_tokens: 7, total_tokens: 12, completion_tokens_details: { reasoning_tokens: 3 } },
      },
      "m",
    ) as { candidates: { content: { parts: unknown[] }; finishReason: string }[]; usageMetadata: unknown };
    expect(r.candidates[0]?.content.parts).toEqual([
      { text: "hmm", thought: true },
      { text: "hi" },
      { functionCall: { name: "f", args: { a: 1 }, id: "c1" }, thoughtSignature: "S" },
    ]);
    expect(r.candidates[0]?.finishReason).toBe("STOP");
    expect(r.usageMetadata).toEqual({ promptTokenCount: 5, candidatesTokenCount: 4, totalTokenCount: 12, thoughtsTokenCount: 3 });
  });

  it.each([
    ["length", "MAX_TOKENS"],
    ["content_filter", "SAFETY"],
    ["stop", "STOP"],
  ])("finish %s -> %s", (finish, reason) => {
    const r = chatToGemini({ choices: [{ message: { content: "x" }, finish_reason: finish }] }, "m") as {
      candidates: { finishReason: string }[];
    };
    expect(r.candidates[0]?.finishReason).toBe(reason);
  });

  it("usage without details", () => {
    expect(toGeminiUsage(undefined)).toEqual({ promptTokenCount: 0, candidatesTokenCount: 0, totalTokenCount: 0 });
  });
});

function encode(chunks: object[]): Record<string, unknown>[] {
  const enc = new GeminiStreamEncoder(new OpenAIStreamTranslator(false), "m");
  let out = "";
  for (const c of chunks) out += enc.push(Buffer.from(`data: ${JSON.stringify(c)}\n\n`));
  out += enc.push(Buffer.from("data: [DONE]\n\n"));
  out += enc.end();
  return out
    .split("\r\n\r\n")
    .filter(Boolean)
    .map((e) => JSON.parse(e.slice(6)) as Record<string, unknown>);
}
const delta = (d: object, finish: string | null = null) => ({ choices: [{ index: 0, delta: d, finish_reason: finish }] });

describe("chat stream -> Gemini SSE", () => {
  it("text as it arrives, finish and usage on the last event", () => {
    const events = encode([
      delta({ role: "assistant", content: "" }),
      delta({ content: "Hel" }),
      delta({ content: "lo" }),
      delta({}, "stop"),
      { choices: [], usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 } },
    ]);
    const texts = events.map((e) =>
      ((e.candidates as { content: { parts: { text?: string }[] } }[])[0]?.content.parts ?? []).map((p) => p.text ?? "").join(""),
    );
    expect(texts.join("")).toBe("Hello");
    expect(events.at(-1)).toMatchObject({
      candidates: [{ finishReason: "STOP" }],
      usageMetadata: { promptTokenCount: 3, candidatesTokenCount: 2 },
    });
  });

  it("parallel function calls each whole once their arguments are complete", () => {
    const events = encode([
      delta({ tool_calls: [{ index: 0, id: "c1", function: { name: "a", arguments: '{"x"' } }] }),
      delta({ tool_calls: [{ index: 0, function: { arguments: ":1}" } }] }),
      delta({ tool_calls: [{ index: 1, id: "c2", function: { name: "b", arguments: "{}" } }] }),
      delta({}, "tool_calls"),
    ]);
    const calls = events.flatMap((e) =>
      ((e.candidates as { content: { parts: { functionCall?: unknown }[] } }[])[0]?.content.parts ?? [])
        .filter((p) => p.functionCall)
        .map((p) => p.functionCall),
    );
    expect(calls).toEqual([
      { name: "a", args: { x: 1 }, id: "c1" },
      { name: "b", args: {}, id: "c2" },
    ]);
  });

  it("an in-band error becomes Gemini's error envelope and ends the stream", () => {
    const events = encode([delta({ content: "x" }), { error: { message: "overloaded", type: "server_error" } }]);
    expect(events.at(-1)).toEqual({ error: { code: 500, message: "overloaded", status: "INTERNAL" } });
  });
});

describe("Gemini's last event", () => {
  it("has no empty parts list when nothing is left to send, only the finish reason and usage", () => {
    const events = encode([delta({ content: "Hi" }), delta({}, "stop")]);
    const last = events.at(-1) as { candidates: { content: Record<string, unknown>; finishReason: string }[] };
    expect(last.candidates[0]?.content).toEqual({ role: "model" });
    expect(last.candidates[0]?.finishReason).toBe("STOP");
  });

  it("still carries the function calls completed at the finish", () => {
    const events = encode([
      delta({ tool_calls: [{ index: 0, id: "c1", function: { name: "a", arguments: "{}" } }] }),
      delta({}, "tool_calls"),
    ]);
    const last = events.at(-1) as { candidates: { content: { parts?: unknown[] } }[] };
    expect(last.candidates[0]?.content.parts).toEqual([{ functionCall: { name: "a", args: {}, id: "c1" } }]);
  });
});
