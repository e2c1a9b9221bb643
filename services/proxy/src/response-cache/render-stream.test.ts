import { describe, expect, it } from "vitest";
import { renderStream, streamComplete } from "./render-stream.js";
import { streamToJson } from "./stream-to-json.js";

// JSON answer -> rendered stream -> assembled JSON gives the answer back, for every format and the
// content kinds that have their own events (thinking with signatures, tool input, refusals, reasoning).
const roundTrip = (format: string, answer: object) => {
  const sse = renderStream(format, JSON.stringify(answer), { includeUsage: true });
  expect(sse).toBeDefined();
  expect(streamComplete(format, sse as string)).toBe(true);
  return JSON.parse(streamToJson(format, sse as string, undefined) as string) as Record<string, unknown>;
};

describe("cached answers between JSON and streams", () => {
  it("OpenAI chat: text, reasoning, tool calls and usage", () => {
    const answer = {
      id: "chatcmpl-1",
      object: "chat.completion",
      created: 1_700_000_000,
      model: "gpt-4o",
      choices: [
        {
          index: 0,
          message: {
            role: "assistant",
            content: "Checking.",
            reasoning_content: "The user wants weather.",
            tool_calls: [{ id: "call_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } }],
          },
          logprobs: null,
          finish_reason: "tool_calls",
        },
      ],
      usage: { prompt_tokens: 12, completion_tokens: 9, total_tokens: 21 },
    };
    expect(roundTrip("openai-chat", answer)).toEqual(answer);
  });

  it("Anthropic: thinking with its signature, text, tool use with its input, redacted thinking", () => {
    const answer = {
      id: "msg_1",
      type: "message",
      role: "assistant",
      model: "claude-sonnet-4-5",
      content: [
        { type: "thinking", thinking: "Let me look.", signature: "sig-abc" },
        { type: "redacted_thinking", data: "opaque" },
        { type: "text", text: "Looking it up." },
        { type: "tool_use", id: "toolu_1", name: "get_weather", input: { city: "Rome", units: ["c"] } },
      ],
      stop_reason: "tool_use",
      stop_sequence: null,
      usage: { input_tokens: 40, cache_read_input_tokens: 30, output_tokens: 25 },
    };
    expect(roundTrip("anthropic-messages", answer)).toEqual(answer);
  });

  it("Responses: reasoning summary, a message with a refusal part, a function call", () => {
    const answer = {
      id: "resp_1",
      object: "response",
      created_at: 1_700_000_000,
      status: "completed",
      model: "gpt-4o",
      output: [
        { id: "rs_1", type: "reasoning", summary: [{ type: "summary_text", text: "Thought." }] },
        {
          id: "msg_1",
          type: "message",
          status: "completed",
          role: "assistant",
          content: [
            { type: "output_text", text: "Hi.", annotations: [] },
            { type: "refusal", refusal: "Not that." },
          ],
        },
        { id: "fc_1", type: "function_call", status: "completed", call_id: "call_1", name: "f", arguments: "{}" },
      ],
      usage: { input_tokens: 5, output_tokens: 7, total_tokens: 12 },
    };
    expect(roundTrip("openai-responses", answer)).toEqual(answer);
  });

  it("Gemini: text and a function call in one candidate", () => {
    const answer = {
      candidates: [
        {
          content: { role: "model", parts: [{ text: "Sure." }, { functionCall: { name: "f", args: { a: 1 } } }] },
          finishReason: "STOP",
          index: 0,
        },
      ],
      usageMetadata: { promptTokenCount: 3, candidatesTokenCount: 4, totalTokenCount: 7 },
      modelVersion: "gemini-2.5-flash",
    };
    expect(roundTrip("gemini", answer)).toEqual(answer);
  });

  it("a stream without its end marker, or with an error event, is not complete", () => {
    expect(streamComplete("openai-chat", 'data: {"choices":[]}\n\n')).toBe(false);
    expect(streamComplete("anthropic-messages", 'event: error\ndata: {"type":"error"}\n\nevent: message_stop\ndata: {}\n\n')).toBe(false);
    expect(renderStream("openai-chat", "not json", { includeUsage: false })).toBeUndefined();
    expect(renderStream("anthropic-messages", '{"error":{}}', { includeUsage: false })).toBeUndefined();
  });
});
