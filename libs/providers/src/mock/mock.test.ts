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
