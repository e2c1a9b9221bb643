import { describe, expect, it } from "vitest";
import type { AnthropicRequest } from "./api.js";
import { addCacheBreakpoints, MAX_BREAKPOINTS } from "./cache-breakpoints.js";
import { buildAnthropicChatRequest } from "./chat.js";

const count = (body: unknown) => (JSON.stringify(body).match(/"cache_control"/g) ?? []).length;

const conversation = (): AnthropicRequest => ({
  model: "claude",
  max_tokens: 100,
  system: "You are a coding agent.",
  tools: [
    { name: "read", input_schema: { type: "object" } },
    { name: "write", input_schema: { type: "object" } },
  ],
  messages: [
    { role: "user", content: "fix parser.ts" },
    { role: "assistant", content: [{ type: "tool_use", id: "t1", name: "read", input: {} }] },
    { role: "user", content: [{ type: "tool_result", tool_use_id: "t1", content: "code" }] },
    {
      role: "assistant",
      content: [
        { type: "thinking", thinking: "hm", signature: "s" },
        { type: "text", text: "done" },
      ],
    },
    { role: "user", content: "thanks, now the tests" },
  ],
});

describe("automatic Anthropic cache breakpoints", () => {
  it("marks the tools, the system prompt, the newest turn and the previous user turn: four at most", () => {
    const body = conversation();
    addCacheBreakpoints(body);
    expect(count(body)).toBe(MAX_BREAKPOINTS);
    expect(body.tools?.[1]?.cache_control).toEqual({ type: "ephemeral" });
    expect(body.tools?.[0]?.cache_control).toBeUndefined();
    expect(body.system).toEqual([{ type: "text", text: "You are a coding agent.", cache_control: { type: "ephemeral" } }]);
    expect(body.messages[4]?.content).toEqual([{ type: "text", text: "thanks, now the tests", cache_control: { type: "ephemeral" } }]);
    expect(JSON.stringify(body.messages[2])).toContain("cache_control");
    expect(JSON.stringify(body.messages[3])).not.toContain("cache_control");
  });

  it("never marks a thinking block or empty text, and leaves a request that has breakpoints as the client made it", () => {
    const body: AnthropicRequest = {
      model: "claude",
      max_tokens: 10,
      messages: [
        {
          role: "assistant",
          content: [
            { type: "text", text: "" },
            { type: "thinking", thinking: "x", signature: "s" },
          ],
        },
      ],
    };
    addCacheBreakpoints(body);
    expect(count(body)).toBe(0);
    const mine = conversation();
    mine.tools![0]!.cache_control = { type: "ephemeral", ttl: "1h" };
    const before = JSON.stringify(mine);
    addCacheBreakpoints(mine);
    expect(JSON.stringify(mine)).toBe(before);
  });

  it("applies to OpenAI-format requests sent to an Anthropic target unless the model turns it off", () => {
    const target = (cacheBreakpoints?: boolean) => ({
      provider: {
        name: "a",
        type: "anthropic",
        origin: "https://api.anthropic.com",
        basePath: "/v1",
        headers: {},
        apiKeys: ["k"],
      } as never,
      apiKey: "k",
      upstreamModel: "claude",
      params: {},
      clientHeaders: {},
      ...(cacheBreakpoints === undefined ? {} : { cacheBreakpoints }),
    });
    const req = {
      model: "m",
      messages: [
        { role: "system", content: "sys" },
        { role: "user", content: "hi" },
      ],
    } as never;
    const on = buildAnthropicChatRequest(req, target(true), { stream: false, clientWantsUsage: false });
    expect(count(JSON.parse(String(on.request.body)))).toBe(2);
    const off = buildAnthropicChatRequest(req, target(false), { stream: false, clientWantsUsage: false });
    expect(count(JSON.parse(String(off.request.body)))).toBe(0);
    const unset = buildAnthropicChatRequest(req, target(), { stream: false, clientWantsUsage: false });
    expect(count(JSON.parse(String(unset.request.body)))).toBe(0);
  });
});
