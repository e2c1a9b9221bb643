import { describe, expect, it } from "vitest";
import { ASK, chatStream, FULL, openai, useContinuationWorld, w } from "./stream-continuation-setup.js";

// What is continued besides a plain cut (an in-band error, thinking then text), and what is not.
useContinuationWorld();

describe("an in-band error after text", () => {
  it("Anthropic's overloaded_error mid-stream is held back and the answer finished on DeepSeek", async () => {
    w.overloaded.behavior.fallback = { chunkDelayMs: 20 }; // the error comes after the first bytes went out
    const { text, finish } = await chatStream("overloaded-to-deepseek");
    expect(text).toBe(FULL);
    expect(finish).toBe("stop");
    await expect.poll(() => w.finished.length).toBe(1);
    expect(w.finished[0]?.attempts.map((a) => [a.provider, a.outcome])).toEqual([
      ["overloaded", "broken"],
      ["ds", "served"],
    ]);
    expect(w.finished[0]?.attempts[0]?.error).toMatch(/Overloaded/);
  });
});

describe("thinking followed by text", () => {
  it("continues the text; the thinking is relayed once, the continuation's own is not", async () => {
    // role, 2 reasoning pieces ("Let me t", "hink."), then 4 text pieces: cut there.
    w.cut.behavior.fallback = { cutAfterChunks: 7, reasoning: "Let me think." };
    w.deepseek.behavior.fallback = { reasoning: "Thinking again." };
    const stream = await openai().chat.completions.create({
      model: "to-deepseek",
      stream: true,
      messages: [{ role: "user", content: ASK }],
    });
    let text = "";
    let reasoning = "";
    for await (const c of stream) {
      const d = c.choices[0]?.delta as { content?: string; reasoning_content?: string } | undefined;
      text += d?.content ?? "";
      reasoning += d?.reasoning_content ?? "";
    }
    expect(reasoning).toBe("Let me think.");
    expect(text).toBe(FULL);
    const sent = w.deepseek.requests.at(-1)?.body as { messages: { content: unknown; prefix?: boolean }[] };
    expect(sent.messages.at(-1)).toMatchObject({ content: "Echo: abcdefghijklmnopqrstuvwxy ", prefix: true });
  });

  it("a break inside the thinking (no text yet) is not continued", async () => {
    w.cut.behavior.fallback = { cutAfterChunks: 2, reasoning: "Let me think about it for a while." };
    const r = await fetch(`${w.proxy.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "to-deepseek", stream: true, messages: [{ role: "user", content: ASK }] }),
    });
    const body = await r.text();
    expect(body).toContain("reasoning_content");
    expect(body).toContain('"error"');
    expect(body).not.toContain("[DONE]");
    expect(w.deepseek.requests).toHaveLength(0);
  });
});

describe("what is not continued", () => {
  const tools = [{ type: "function" as const, function: { name: "lookup", parameters: { type: "object", properties: {} } } }];

  it("a cut inside a tool call's arguments: the in-band error, no second request", async () => {
    w.cut.behavior.fallback = { cutAfterChunks: 3 }; // role, the call's start, one piece of its arguments
    const r = await fetch(`${w.proxy.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "to-claude", stream: true, tools, messages: [{ role: "user", content: "lookup please" }] }),
    });
    const body = await r.text();
    expect(body).toContain('"arguments"');
    expect(body).toContain('"error"');
    expect(body).not.toContain("[DONE]");
    expect(w.claude.requests).toHaveLength(0);
  });

  it("a model with stream_continuation off: the in-band error as before, no second request", async () => {
    const r = await fetch(`${w.proxy.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "off", stream: true, messages: [{ role: "user", content: ASK }] }),
    });
    const body = await r.text();
    expect(body).toContain("Echo: ab");
    expect(body).toContain('"error"');
    expect(body).not.toContain("[DONE]");
    expect(w.claude.requests).toHaveLength(0);
    await expect.poll(() => w.finished.length).toBe(1);
    expect(w.finished[0]?.outcome).toBe("broken");
  });

  it("a provider without prefill is never asked to continue: the in-band error, no false finish_reason", async () => {
    const r = await fetch(`${w.proxy.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "to-plain", stream: true, messages: [{ role: "user", content: ASK }] }),
    });
    const body = await r.text();
    expect(body).toContain('"error"');
    expect(body).not.toContain('finish_reason":"stop');
    expect(body).not.toContain("[DONE]");
    expect(w.plain.requests).toHaveLength(0);
    await expect.poll(() => w.finished.length).toBe(1);
    expect(w.finished[0]?.outcome).toBe("broken");
  });

  it("a continuation target that fails before its first byte: the next one may not exist, the client gets the in-band error", async () => {
    w.claude.behavior.fallback = { status: 500 };
    const r = await fetch(`${w.proxy.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "to-failing", stream: true, messages: [{ role: "user", content: ASK }] }),
    });
    const body = await r.text();
    expect(body).toContain("Echo: ab");
    expect(body).toContain('"error"');
    expect(body).not.toContain("[DONE]");
    expect(w.claude.requests).toHaveLength(1);
    await expect.poll(() => w.finished.length).toBe(1);
    expect(w.finished[0]?.outcome).toBe("broken");
    expect(w.finished[0]?.attempts.map((a) => a.outcome)).toEqual(["broken", "retry"]);
  });

  it("one deadline for the whole continuation: no attempt starts after it", async () => {
    w.claude.behavior.next({ status: 500, delayMs: 400 });
    const r = await fetch(`${w.proxy.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "to-late", stream: true, messages: [{ role: "user", content: ASK }] }),
    });
    const body = await r.text();
    expect(body).toContain('"error"');
    expect(body).not.toContain("[DONE]");
    expect(w.deepseek.requests).toHaveLength(0);
    await expect.poll(() => w.finished.length).toBe(1);
    expect(w.finished[0]?.attempts.map((a) => a.outcome)).toEqual(["broken", "retry"]);
  });
});
