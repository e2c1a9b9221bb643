import { type MockUpstream, startMockUpstream } from "@ai-router/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestProxy, type TestProxy } from "./harness.js";

// An OpenAI-format agent served by Anthropic gets Anthropic's prompt cache: the router adds the breakpoints.
let claude: MockUpstream;
let proxy: TestProxy;

beforeAll(async () => {
  claude = await startMockUpstream();
  const target = [{ provider: "claude", model: "claude-upstream-1" }];
  proxy = await startTestProxy({
    providers: [{ name: "claude", type: "anthropic", base_url: claude.url, api_key: "sk-ant-cache-1", timeout_ms: 2000 }],
    models: [
      { name: "auto", providers: target },
      { name: "manual", cache_breakpoints: false, providers: target },
    ],
  });
});
afterAll(async () => {
  await proxy?.close();
  await claude?.close();
});

const agentTurn = (model: string) =>
  fetch(`${proxy.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      model,
      messages: [
        { role: "system", content: `You are a coding agent. ${"Follow the repository's conventions. ".repeat(150)}` },
        { role: "user", content: "read parser.ts" },
        { role: "assistant", content: "It has a bug on line 3." },
        { role: "user", content: "fix it" },
      ],
      tools: [{ type: "function", function: { name: "edit_file", parameters: { type: "object" } } }],
      tool_choice: "none",
    }),
  });

const breakpoints = (body: unknown) => (JSON.stringify(body).match(/"cache_control"/g) ?? []).length;

describe("automatic cache breakpoints for Anthropic targets", () => {
  it("marks tools, system prompt and the latest turns (four at most), and the answer reports the cached tokens", async () => {
    const r = await agentTurn("auto");
    expect(r.status).toBe(200);
    const sent = claude.received("/messages").at(-1)?.body as { system: unknown; tools: { cache_control?: unknown }[] };
    expect(breakpoints(sent)).toBe(4);
    expect(sent.tools[0]?.cache_control).toEqual({ type: "ephemeral" });
    expect(JSON.stringify(sent.system)).toContain("cache_control");
    const usage = (await r.json()).usage as { prompt_tokens_details: { cached_tokens: number } };
    expect(usage.prompt_tokens_details.cached_tokens).toBeGreaterThan(0);
  });

  it("adds none for a model that turns them off, nor for a short prompt", async () => {
    expect((await agentTurn("manual")).status).toBe(200);
    expect(breakpoints(claude.received("/messages").at(-1)?.body)).toBe(0);
    const short = await fetch(`${proxy.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "auto", messages: [{ role: "user", content: "hi" }] }),
    });
    expect(short.status).toBe(200);
    expect(breakpoints(claude.received("/messages").at(-1)?.body)).toBe(0);
  });
});
