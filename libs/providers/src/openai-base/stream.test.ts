import { describe, expect, it } from "vitest";
import { lastUsageObject, OpenAIStreamTranslator } from "./stream.js";

const chunk = (content: string, usage: "null" | "none" = "null") =>
  `data: {"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"${content}"},"finish_reason":null}]${usage === "null" ? ',"usage":null' : ""}}\n\n`;
const usageChunk =
  'data: {"id":"c1","object":"chat.completion.chunk","choices":[],"usage":{"prompt_tokens":5,"completion_tokens":7,"total_tokens":12}}\n\n';
const run = (t: OpenAIStreamTranslator, parts: string[]) => parts.map((p) => t.push(Buffer.from(p)).toString()).join("") + t.end();
const events = (s: string) => s.split("\n\n").filter(Boolean);

describe("OpenAIStreamTranslator", () => {
  it("forwards events untouched and records usage the client asked for", () => {
    const t = new OpenAIStreamTranslator(false);
    const input = [chunk("Hel"), chunk("lo"), usageChunk, "data: [DONE]\n\n"];
    expect(run(t, input)).toBe(input.join(""));
    expect(t.usage).toMatchObject({ prompt_tokens: 5, completion_tokens: 7, total_tokens: 12 });
  });

  it("hides the usage chunk it requested on the client's behalf, but keeps the numbers", () => {
    const t = new OpenAIStreamTranslator(true);
    const out = run(t, [chunk("Hi"), usageChunk, "data: [DONE]\n\n"]);
    expect(out).toBe(`${chunk("Hi")}data: [DONE]\n\n`);
    expect(t.usage?.total_tokens).toBe(12);
  });

  it("edits only the usage event when a whole stream arrives in one chunk", () => {
    const t = new OpenAIStreamTranslator(true);
    const out = t.push(Buffer.from(chunk("a") + chunk("b") + usageChunk + chunk("c") + "data: [DONE]\n\n"));
    expect(out.toString()).toBe(chunk("a") + chunk("b") + chunk("c") + "data: [DONE]\n\n");
    expect(t.end()).toBe("");
    expect(t.usage?.total_tokens).toBe(12);
  });

  it("says the stream is complete once [DONE] ends the bytes so far, and not before", () => {
    for (const strip of [false, true]) {
      const t = new OpenAIStreamTranslator(strip);
      t.push(Buffer.from(chunk("Hi")));
      expect(t.complete).toBe(false);
      t.push(Buffer.from(`${usageChunk}data: [DO`));
      expect(t.complete).toBe(false);
      const last = t.push(Buffer.from("NE]\n\n")).toString() + t.end();
      expect(t.complete).toBe(true);
      // The client still gets exactly one terminator.
      expect(last.match(/\[DONE\]/g)).toHaveLength(1);
    }
  });

  it("reassembles events split across chunks, never forwarding half an event", () => {
    const t = new OpenAIStreamTranslator(true);
    const whole = chunk("abc") + usageChunk + "data: [DONE]\n\n";
    const pieces: string[] = [];
    for (let i = 0; i < whole.length; i += 7) pieces.push(whole.slice(i, i + 7));
    const outs = pieces.map((p) => t.push(Buffer.from(p)).toString());
    for (const o of outs) if (o) expect(o.endsWith("\n\n")).toBe(true);
    expect(outs.join("") + t.end()).toBe(`${chunk("abc")}data: [DONE]\n\n`);
    expect(t.usage?.prompt_tokens).toBe(5);
  });

  it("handles CRLF line ends", () => {
    const t = new OpenAIStreamTranslator(false);
    const out = run(t, [chunk("x").replaceAll("\n", "\r\n"), "data: [DONE]\r\n\r\n"]);
    expect(events(out)).toEqual([chunk("x").trim(), "data: [DONE]"]);
  });

  it("adds [DONE] when the upstream ends without it, and keeps keep-alive comments", () => {
    const t = new OpenAIStreamTranslator(false);
    expect(run(t, [": ping\n\n", chunk("a", "none")])).toBe(`: ping\n\n${chunk("a", "none")}data: [DONE]\n\n`);
  });

  it("surfaces an in-band error event", () => {
    const t = new OpenAIStreamTranslator(false);
    t.push(Buffer.from('data: {"error":{"message":"overloaded","type":"server_error"}}\n\n'));
    expect(t.error).toMatchObject({ message: "overloaded", type: "server_error" });
  });

  it("strips usage that rides on a content chunk while keeping the content", () => {
    const t = new OpenAIStreamTranslator(true);
    const out = run(t, ['data: {"choices":[{"index":0,"delta":{"content":"z"}}],"usage":{"prompt_tokens":1,"completion_tokens":1}}\n\n']);
    expect(JSON.parse(events(out)[0]?.slice(6) ?? "")).toEqual({ choices: [{ index: 0, delta: { content: "z" } }] });
    expect(t.usage?.total_tokens).toBe(2);
  });
});

describe("lastUsageObject", () => {
  const at = (s: string) => lastUsageObject(Buffer.from(s));
  it("finds the last usage key whose value is an object, with or without spaces", () => {
    const s = '{"usage":null}{"usage":{"a":1}}{"usage": {"b":2}}{"usage" : null}';
    expect(at(s)).toBe(s.indexOf('"usage": {'));
    expect(at('{"usage":{"prompt_tokens":1}}')).toBe(1);
  });

  it("ignores text that only ends in usage, and usage values that are not objects", () => {
    expect(at('{"content":"check your usage","usage":null}')).toBe(-1);
    expect(at('{"content":"usage"}')).toBe(-1);
    expect(at("usage")).toBe(-1);
    expect(at('usage":{')).toBe(-1);
  });
});

describe("in-band errors whatever the upstream's JSON spacing", () => {
  for (const ev of [
    'data: {"error":{"message":"overloaded","type":"server_error"}}',
    'data: {"error": {"message": "overloaded", "type": "server_error"}}',
    'data: {"error" : {"message":"overloaded"}}',
  ]) {
    it(ev, () => {
      const t = new OpenAIStreamTranslator(false);
      t.push(Buffer.from(`${ev}\n\n`));
      expect(t.error?.message).toContain("overloaded");
    });
  }

  it('a content chunk whose text ends in "error" is forwarded as it is', () => {
    const t = new OpenAIStreamTranslator(false);
    const input = [chunk("no error"), chunk("at all"), "data: [DONE]\n\n"];
    expect(run(t, input)).toBe(input.join(""));
    expect(t.error).toBeUndefined();
  });
});
