import type { ChatCompletionRequest } from "@ai-router/contracts";
import { describe, expect, it } from "vitest";
import { mockCompletion } from "./chat.js";
import { mockStream } from "./stream.js";

const req: ChatCompletionRequest = { model: "demo", messages: [{ role: "user", content: "hello there" }] };

describe("mock provider", () => {
  it("streams the same answer and usage as its JSON reply, usage chunk only when asked", async () => {
    const json = JSON.parse(mockCompletion(req, "mock-1").body);
    for (const includeUsage of [true, false]) {
      const answer = mockStream(req, "mock-1", includeUsage);
      const events: string[] = [];
      for await (const ev of answer.events) events.push(ev);
      expect(events.at(-1)).toBe("data: [DONE]\n\n");
      const chunks = events.slice(0, -1).map((e) => JSON.parse(e.slice(6)));
      expect(chunks.map((c) => c.choices[0]?.delta?.content ?? "").join("")).toBe(json.choices[0].message.content);
      expect(answer.usage).toEqual(json.usage);
      expect(chunks.some((c) => c.usage)).toBe(includeUsage);
    }
  });
});

describe("mock provider output limits", () => {
  const long: ChatCompletionRequest = { model: "demo", messages: [{ role: "user", content: "tell me a long story about routers" }] };

  it.each([
    ["max_tokens", { max_tokens: 3 }],
    ["max_completion_tokens", { max_completion_tokens: 3 }],
    ["max_output_tokens", { max_output_tokens: 3 }],
  ])("stops at %s with finish_reason length, JSON and stream alike", async (_name, limit) => {
    const r = { ...long, ...limit } as ChatCompletionRequest;
    const json = JSON.parse(mockCompletion(r, "m").body);
    expect(json.choices[0].finish_reason).toBe("length");
    expect(json.usage.completion_tokens).toBe(3);
    expect(json.choices[0].message.content.length).toBeLessThanOrEqual(12);
    const s = mockStream(r, "m", true);
    const chunks: { choices: { delta: { content?: string }; finish_reason: string | null }[] }[] = [];
    for await (const ev of s.events) if (ev !== "data: [DONE]\n\n") chunks.push(JSON.parse(ev.slice(6)));
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? "").join("")).toBe(json.choices[0].message.content);
    expect(chunks.find((c) => c.choices[0]?.finish_reason)?.choices[0]?.finish_reason).toBe("length");
    expect(s.usage.completion_tokens).toBe(3);
  });

  it("a limit above the answer changes nothing", () => {
    const json = JSON.parse(mockCompletion({ ...long, max_tokens: 4096 }, "m").body);
    expect(json.choices[0].finish_reason).toBe("stop");
    expect(json.choices[0].message.content).toContain("tell me a long story");
  });
});
