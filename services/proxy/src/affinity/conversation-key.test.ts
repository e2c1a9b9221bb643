import { describe, expect, it } from "vitest";
import { conversationHash, startHash } from "./conversation-key.js";

const system = "You are a coding agent. ".repeat(40);
const chatTurn = (n: number, extra: Record<string, unknown> = {}) => ({
  model: "m",
  messages: [
    { role: "system", content: system },
    { role: "user", content: "fix the bug in parser.ts" },
    ...Array.from({ length: n }, (_, i) => [
      { role: "assistant", content: `step ${i}` },
      { role: "user", content: `go on ${i}` },
    ]).flat(),
  ],
  tools: [{ type: "function", function: { name: "read_file", parameters: { type: "object" } } }],
  ...extra,
});

describe("conversation keys", () => {
  it("keeps one key over a growing conversation that sends no identifier, and tells conversations apart", () => {
    const first = conversationHash("openai-chat", chatTurn(0), {}, "session");
    for (let n = 1; n < 10; n++) expect(conversationHash("openai-chat", chatTurn(n), {}, "session")).toBe(first);
    const other = chatTurn(3);
    (other.messages[1] as { content: string }).content = "write the README";
    expect(conversationHash("openai-chat", other, {}, "session")).not.toBe(first);
  });

  it("prefers, in order: prompt_cache_key, session headers, metadata.user_id, user", () => {
    const h = (json: Record<string, unknown>, headers: Record<string, string> = {}) =>
      conversationHash("openai-chat", json, headers, "session");
    const a = h(chatTurn(0, { prompt_cache_key: "pck-1", user: "u1" }), { "x-session-id": "s1" });
    expect(h(chatTurn(4, { prompt_cache_key: "pck-1" }))).toBe(a);
    expect(h(chatTurn(0, { prompt_cache_key: "pck-2" }), { "x-session-id": "s1" })).not.toBe(a);
    const s = h(chatTurn(0), { "x-session-id": "s1" });
    expect(h(chatTurn(0, { user: "u1" }), { "x-session-id": "s1" })).toBe(s);
    expect(h(chatTurn(0), { "x-session-id": "s2" })).not.toBe(s);
    // Claude Code's and Codex's headers each name the conversation on their own.
    const cc = h(chatTurn(0), { "x-claude-code-session-id": "3f1c" });
    expect(h(chatTurn(7), { "x-claude-code-session-id": "3f1c" })).toBe(cc);
    expect(h(chatTurn(0), { session_id: "3f1c" })).toBe(h(chatTurn(9), { conversation_id: "3f1c" }));
    const meta = h(chatTurn(0, { metadata: { user_id: '{"session_id":"abc"}' } }));
    expect(h(chatTurn(5, { metadata: { user_id: '{"session_id":"abc"}' } }))).toBe(meta);
    expect(h(chatTurn(5, { metadata: { user_id: '{"session_id":"abd"}' } }))).not.toBe(meta);
    expect(h(chatTurn(0, { user: "alice" }))).toBe(h(chatTurn(3, { user: "alice" })));
    expect(h(chatTurn(0, { safety_identifier: "x1" }))).not.toBe(h(chatTurn(0, { safety_identifier: "x2" })));
  });

  it("reads each ingress's own shape of a conversation's start", () => {
    const anthropic = (n: number) => ({
      system: [{ type: "text", text: system }],
      messages: [{ role: "user", content: "hi" }, ...Array.from({ length: n }, () => ({ role: "assistant", content: "ok" }))],
    });
    expect(conversationHash("anthropic-messages", anthropic(0), {}, "session")).toBe(
      conversationHash("anthropic-messages", anthropic(3), {}, "session"),
    );
    const responses = (n: number) => ({
      instructions: system,
      input: [{ role: "user", content: "hi" }, ...Array(n).fill({ role: "assistant", content: "ok" })],
    });
    expect(conversationHash("openai-responses", responses(0), {}, "session")).toBe(
      conversationHash("openai-responses", responses(2), {}, "session"),
    );
    const gemini = (text: string) => ({
      systemInstruction: { parts: [{ text: system }] },
      contents: [{ role: "user", parts: [{ text }] }],
    });
    expect(conversationHash("gemini", gemini("a"), {}, "session")).not.toBe(conversationHash("gemini", gemini("b"), {}, "session"));
  });

  it("in prefix mode groups conversations by system prompt and tools, ignoring identifiers", () => {
    const a = chatTurn(0, { prompt_cache_key: "one" });
    const b = chatTurn(2, { prompt_cache_key: "two" });
    (b.messages[1] as { content: string }).content = "another task";
    expect(conversationHash("openai-chat", a, {}, "prefix")).toBe(conversationHash("openai-chat", b, { "x-session-id": "z" }, "prefix"));
    expect(startHash("openai-chat", a, false)).not.toBe(startHash("openai-chat", { ...a, tools: [] }, false));
  });

  it("hashes only a bounded part of a huge start (what differs after 2,048 characters of the system prompt does not count)", () => {
    const huge = (tail: string) => {
      const c = chatTurn(0);
      (c.messages[0] as { content: string }).content = "x".repeat(2048) + tail.repeat(1_000_000);
      return conversationHash("openai-chat", c, {}, "session");
    };
    expect(huge("a")).toBe(huge("b"));
  });
});
