import Anthropic from "@anthropic-ai/sdk";
import { GoogleGenAI } from "@google/genai";
import { describe, expect, it } from "vitest";
import type { RequestRecord } from "../src/record/request-record.js";
import { ASK, chatStream, FULL, openai, useContinuationWorld, w } from "./stream-continuation-setup.js";

// Through the router with the official SDKs: a stream its first target cuts after 5 events is finished
// on the second (Anthropic, then a DeepSeek preset), in the client's own format.
useContinuationWorld();

/** The request's record: both attempts (`broken`, then `served`) and the two attempts' usage added up. */
async function expectContinuedRecord(second: string): Promise<void> {
  await expect.poll(() => w.finished.length).toBe(1);
  const r = w.finished[0] as RequestRecord;
  expect(r.outcome).toBe("served");
  expect(r.attempts.map((a) => [a.provider, a.outcome])).toEqual([
    ["cut", "broken"],
    [second, "served"],
  ]);
  // The continuation's prompt includes the prefill, and the broken attempt's output is counted too.
  expect(r.usage?.completion_tokens).toBeGreaterThanOrEqual(Math.ceil(FULL.length / 4));
  expect(r.usage?.prompt_tokens).toBeGreaterThan(2 * Math.ceil(ASK.length / 4));
}

for (const [m, second, upstream] of [
  ["to-claude", "claude", () => w.claude],
  ["to-deepseek", "ds", () => w.deepseek],
] as const) {
  describe(`a stream cut after 5 events continues on ${second}`, () => {
    it("OpenAI chat stream: exactly the full text, one id, finish_reason stop", async () => {
      const { text, finish } = await chatStream(m);
      expect(text).toBe(FULL);
      expect(finish).toBe("stop");
      await expectContinuedRecord(second);
      const sent = upstream().requests.at(-1)?.body as { messages: { role: string; content: unknown; prefix?: boolean }[] };
      const last = sent.messages.at(-1);
      expect(last?.role).toBe("assistant");
      if (second === "ds") expect(last).toMatchObject({ content: "Echo: abcdefghijklmnopqrstuvwxy ", prefix: true });
    });

    it("Anthropic messages.stream: the full text and end_turn", async () => {
      const client = new Anthropic({ baseURL: w.proxy.url, apiKey: "sk-any", maxRetries: 0 });
      const stream = client.messages.stream({ model: m, max_tokens: 256, messages: [{ role: "user", content: ASK }] });
      const events: string[] = [];
      stream.on("streamEvent", (e) => events.push(e.type));
      const msg = await stream.finalMessage();
      expect(msg.content.map((b) => (b.type === "text" ? b.text : "")).join("")).toBe(FULL);
      expect(msg.stop_reason).toBe("end_turn");
      expect(events.filter((e) => e === "message_start")).toHaveLength(1);
      expect(events.filter((e) => e === "content_block_start")).toHaveLength(1);
      expect(events.at(-1)).toBe("message_stop");
      await expectContinuedRecord(second);
    });

    it("Responses responses.stream: the full output_text, completed", async () => {
      const stream = openai().responses.stream({ model: m, input: ASK });
      const created: string[] = [];
      stream.on("response.created", (e) => created.push(e.response.id));
      const res = await stream.finalResponse();
      expect(res.output_text).toBe(FULL);
      expect(res.status).toBe("completed");
      expect(created).toEqual([res.id]);
      await expectContinuedRecord(second);
    });

    it("Gemini streamGenerateContent: the full text, finishReason STOP", async () => {
      const sdk = new GoogleGenAI({ apiKey: "sk-any", httpOptions: { baseUrl: w.proxy.url } });
      const stream = await sdk.models.generateContentStream({ model: m, contents: ASK });
      let text = "";
      let finish: string | undefined;
      for await (const c of stream) {
        text += c.text ?? "";
        finish = c.candidates?.[0]?.finishReason ?? finish;
      }
      expect(text).toBe(FULL);
      expect(finish).toBe("STOP");
      await expectContinuedRecord(second);
    });
  });
}

describe("/v1/models/{m}/capabilities", () => {
  it("shows whether the model continues streams and the prefill each of its providers takes", async () => {
    const on = await (await fetch(`${w.proxy.url}/v1/models/to-claude/capabilities`)).json();
    expect(on.stream_continuation).toEqual({
      enabled: true,
      providers: [
        { provider: "cut", prefill: null },
        { provider: "claude", prefill: "anthropic" },
      ],
    });
    const ds = await (await fetch(`${w.proxy.url}/v1/models/to-deepseek/capabilities`)).json();
    expect(ds.stream_continuation.providers[1]).toEqual({ provider: "ds", prefill: "prefix" });
    const off = await (await fetch(`${w.proxy.url}/v1/models/off/capabilities`)).json();
    expect(off.stream_continuation.enabled).toBe(false);
  });
});
