import { describe, expect, it } from "vitest";
import { JsonlCheck, MAX_LINE_BYTES } from "./jsonl-check.js";

const line = (id: string, extra: object = {}) =>
  JSON.stringify({ custom_id: id, method: "POST", url: "/v1/chat/completions", body: { model: "m", messages: [] }, ...extra });

/** Feeds text in chunks of `size` bytes (lines split anywhere), as a stream would. */
function check(purpose: "batch" | "fine-tune", text: string, size = 7): string | undefined {
  const c = new JsonlCheck(purpose);
  const b = Buffer.from(text);
  for (let i = 0; i < b.length; i += size) c.push(b.subarray(i, i + size));
  return c.end();
}

describe("JSONL checked line by line", () => {
  it("accepts good batch lines split across chunks, blank lines and a missing final newline included", () => {
    expect(check("batch", `${line("a")}\n\n${line("b")}\r\n${line("c")}`)).toBeUndefined();
  });

  it("names the first bad line: not JSON, not an object, wrong shape, duplicate id", () => {
    expect(check("batch", `${line("a")}\n{nope\n${line("b")}`)).toBe("line 2: not valid JSON");
    expect(check("batch", `${line("a")}\n\n[1]`)).toBe("line 3: not a JSON object");
    expect(check("batch", `${line("a")}\n${line("b", { url: "/v1/nope" })}`)).toMatch(/^line 2: url: /);
    expect(check("batch", `${line("a")}\n${line("b", { body: {} })}`)).toMatch(/^line 2: body: body.model is required/);
    expect(check("batch", `${line("a")}\n${line("a")}`)).toBe("line 2: duplicate custom_id");
    expect(check("batch", "\n\n")).toBe("the file has no lines");
  });

  it("checks fine-tuning lines: messages, or prompt and completion", () => {
    expect(check("fine-tune", `{"messages":[{"role":"user","content":"hi"}]}\n{"prompt":"a","completion":"b"}\n`)).toBeUndefined();
    expect(check("fine-tune", `{"messages":[]}`)).toMatch(/^line 1: expected `messages`/);
  });

  it("stops at a line longer than the bound instead of holding it", () => {
    const c = new JsonlCheck("batch");
    const chunk = Buffer.alloc(1024 * 1024, 0x61);
    for (let i = 0; i <= MAX_LINE_BYTES / chunk.length; i++) c.push(chunk);
    expect(c.end()).toBe(`line 1: longer than ${MAX_LINE_BYTES} bytes`);
  });
});
