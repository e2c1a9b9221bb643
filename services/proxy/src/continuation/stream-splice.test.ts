import type { ChatStreamTranslator } from "@ai-router/providers";
import { describe, expect, it } from "vitest";
import { StreamSplice } from "./stream-splice.js";

/** A translator that hands its input on as it is (the chunks are already OpenAI's). */
const passing = (): ChatStreamTranslator => ({
  push: (c) => c.toString(),
  end: () => "",
  usage: undefined,
  error: undefined,
});

const chunk = (id: string, delta: object, finish: string | null = null) =>
  Buffer.from(
    `data: ${JSON.stringify({ id, created: id === "a" ? 1 : 2, model: id, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`,
  );

const deltas = (out: string) =>
  out
    .split("\n\n")
    .filter((e) => e.startsWith("data: {"))
    .map((e) => JSON.parse(e.slice(6)) as { id: string; created: number; model: string; choices: { delta: Record<string, unknown> }[] });

describe("StreamSplice", () => {
  it("relays the first stream as it is and notes its text", () => {
    const s = new StreamSplice(passing());
    const a = chunk("a", { role: "assistant", content: "" });
    expect(s.push(a)).toBe(a.toString());
    s.push(chunk("a", { content: "Hello, " }));
    expect(s.text).toBe("Hello, ");
    expect(s.continuable()).toBe(true);
  });

  it("rewrites the continuation into the first stream: its id, no second role, no reasoning, the seam cleaned", () => {
    const s = new StreamSplice(passing());
    s.push(chunk("a", { role: "assistant", content: "" }));
    s.push(chunk("a", { reasoning_content: "think" }));
    s.push(chunk("a", { content: "Hello, " }));
    s.swap(passing(), " ");
    expect(s.push(chunk("b", { role: "assistant", content: "" }))).toBe("");
    expect(s.push(chunk("b", { reasoning_content: "again" }))).toBe("");
    const out = deltas(s.push(chunk("b", { content: " world" })) + s.push(chunk("b", {}, "stop")));
    expect(out.map((c) => [c.id, c.created, c.model])).toEqual([
      ["a", 1, "a"],
      ["a", 1, "a"],
    ]);
    expect(out[0]?.choices[0]?.delta).toEqual({ content: "world" });
    expect(s.text).toBe("Hello, world");
    expect(s.continuable()).toBe(false); // finished
    expect(s.finished).toBe(true);
  });

  it("seals a whole answer whose stream broke before its end: the end is written as if it came", () => {
    const s = new StreamSplice(passing());
    s.push(chunk("a", { content: "Hi" }));
    s.push(chunk("a", {}, "stop"));
    s.seal();
    expect(s.push(Buffer.from('data: {"partial'))).toBe("");
    expect(s.end()).toBe("data: [DONE]\n\n");
  });

  it("is not continuable after a tool call began, nor after reasoning alone (no provider takes it back)", () => {
    const r = new StreamSplice(passing());
    r.push(chunk("a", { role: "assistant", content: "" }));
    expect(r.continuable()).toBe(true); // nothing but the role: the request goes again as it came
    r.push(chunk("a", { reasoning_content: "hmm" }));
    expect(r.continuable()).toBe(false);
    r.push(chunk("a", { content: "So:" }));
    expect(r.continuable()).toBe(true); // thinking followed by text: the text is the prefill
    const s = new StreamSplice(passing());
    s.push(chunk("a", { content: "Let me look." }));
    s.push(chunk("a", { tool_calls: [{ index: 0, id: "c", function: { name: "f", arguments: '{"q' } }] }));
    expect(s.continuable()).toBe(false);
  });

  it("holds back an in-band error it may make good, and relays one it cannot", () => {
    const err = Buffer.from(`data: ${JSON.stringify({ error: { message: "overloaded" } })}\n\n`);
    const s = new StreamSplice(passing());
    s.push(chunk("a", { content: "Hi" }));
    expect(s.push(err)).toBe("");
    expect(s.held).toBe(true);
    const t = new StreamSplice(passing());
    t.push(chunk("a", { tool_calls: [{ index: 0, id: "c", function: { name: "f", arguments: "" } }] }));
    expect(t.push(err)).toContain("overloaded");
    expect(t.held).toBe(false);
  });
});
