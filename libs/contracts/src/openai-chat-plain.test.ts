import { describe, expect, it } from "vitest";
import { ChatCompletionRequest } from "./openai-chat.js";
import { isPlainChatRequest } from "./openai-chat-plain.js";

const base = () => ({ model: "gpt-4o", messages: [{ role: "user", content: "hi" }] as unknown[] });

/** Bodies around the fast check's edges: each is judged by the schema too. */
const variants: Record<string, unknown>[] = [
  base(),
  { ...base(), stream: true, stream_options: { include_usage: true } },
  { ...base(), stream: null, stream_options: null, max_tokens: null, temperature: null, top_p: null },
  { ...base(), max_tokens: 64, max_completion_tokens: 10, temperature: 2, top_p: 0, user: "u1", custom_field: { any: 1 } },
  {
    ...base(),
    messages: [
      { role: "system", content: "s", name: "n" },
      { role: "developer", content: "d" },
      { role: "assistant", content: null },
      { role: "assistant" },
      { role: "user", content: "x", extra: 1 },
    ],
  },
  { ...base(), messages: [{ role: "assistant", content: "a", reasoning_content: "r" }] },
  { model: "", messages: [{ role: "user", content: "hi" }] },
  { messages: [{ role: "user", content: "hi" }] },
  { model: "m" },
  { ...base(), messages: [] },
  { ...base(), messages: "hi" },
  { ...base(), messages: [null] },
  { ...base(), messages: [{ role: "user" }] },
  { ...base(), messages: [{ role: "user", content: 5 }] },
  { ...base(), messages: [{ role: "user", content: [{ type: "text", text: "hi" }] }] },
  { ...base(), messages: [{ role: "robot", content: "hi" }] },
  { ...base(), messages: [{ role: "tool", content: "x", tool_call_id: "t" }] },
  { ...base(), messages: [{ role: "assistant", content: "a", tool_calls: [] }] },
  { ...base(), messages: [{ role: "assistant", content: 3 }] },
  { ...base(), messages: [{ role: "user", content: "x", name: 3 }] },
  { ...base(), stream: "yes" },
  { ...base(), stream_options: { include_usage: "yes" } },
  { ...base(), stream_options: [] },
  { ...base(), max_tokens: 0 },
  { ...base(), max_tokens: 1.5 },
  { ...base(), max_tokens: "64" },
  { ...base(), temperature: 2.1 },
  { ...base(), temperature: -0.1 },
  { ...base(), top_p: 1.5 },
  { ...base(), user: null },
  { ...base(), tools: [] },
  { ...base(), stop: "x" },
  { ...base(), n: 2 },
  { ...base(), model: 5 },
];

describe("isPlainChatRequest", () => {
  it("never accepts a body the schema rejects, and accepts the common shapes without it", () => {
    for (const v of variants) {
      const fast = isPlainChatRequest(JSON.parse(JSON.stringify(v)));
      const zod = ChatCompletionRequest.safeParse(v).success;
      if (fast) expect(zod, JSON.stringify(v)).toBe(true);
    }
    expect(variants.slice(0, 6).every((v) => isPlainChatRequest(v))).toBe(true);
  });
});
