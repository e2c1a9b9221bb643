import { describe, expect, it } from "vitest";
import { TextUnitCounter } from "./usage-estimate.js";

const sse = (obj: unknown) => `data: ${JSON.stringify(obj)}\n\n`;
const chunk = (delta: Record<string, unknown>) =>
  sse({ id: "chatcmpl-1", object: "chat.completion.chunk", created: 1, model: "gpt-4o", choices: [{ index: 0, delta }] });

const count = (...pieces: (string | Buffer)[]) => {
  const c = new TextUnitCounter();
  for (const p of pieces) c.push(p);
  return c;
};

describe("TextUnitCounter", () => {
  it("counts the text of generated-text values only, not ids, roles, models or other keys", () => {
    const c = count(Buffer.from(chunk({ role: "assistant", content: "" }) + chunk({ content: "Hello" }) + chunk({ content: " world" })));
    expect(c.units).toBe(11);
    expect(c.tokens).toBe(3);
  });

  it("gives the same count however the bytes are split between chunks (keys and values cut anywhere)", () => {
    const text =
      chunk({ content: 'He said "hi"\n' }) +
      sse({ type: "content_block_delta", delta: { type: "input_json_delta", partial_json: '{"city":' } }) +
      sse({ type: "content_block_delta", delta: { type: "thinking_delta", thinking: "hmm" } }) +
      chunk({ reasoning_content: "why", tool_calls: [{ function: { name: "content", arguments: '{"a":1}' } }] });
    const whole = count(Buffer.from(text)).units;
    // 13 + 8 + 3 + 3 + 7 (the tool's name `content` is a value, not a key: not counted)
    expect(whole).toBe(34);
    const bytes = Buffer.from(text);
    for (let cut = 1; cut < bytes.length; cut++) {
      expect(count(bytes.subarray(0, cut), bytes.subarray(cut)).units).toBe(whole);
    }
    expect(count(...[...text].map((ch) => ch)).units).toBe(whole);
  });

  it("weighs non-ASCII text about as tokenizers do: 3 units a CJK character, an escape as one character", () => {
    expect(count(chunk({ content: "你好" })).units).toBe(6); // string: 3 a character
    expect(count(Buffer.from(chunk({ content: "你好" }))).units).toBe(6); // bytes: 3 UTF-8 bytes each
    expect(count('data: {"content":"caf\\u00e9"}\n\n').units).toBe(6);
  });

  it("follows compact and spaced JSON, and ignores null and non-string values", () => {
    expect(count('{"content": "four"}').units).toBe(4);
    expect(count('{"content":null,"text":["no"],"id":"content","x":"y"}').units).toBe(0);
    expect(count("data: [DONE]\n\n").units).toBe(0);
  });

  it("counts what was relayed, in bytes or characters", () => {
    const c = count(Buffer.from("abc"), "de");
    expect(c.relayed).toBe(5);
  });
});
