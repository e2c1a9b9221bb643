import { type MockUpstream, startMockUpstream } from "@ai-router/testing";
import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach } from "vitest";
import { startTestProxy, type TestProxy } from "./harness.js";

// The openai SDK's Responses API against models served by an OpenAI-compatible chat upstream, by
// Anthropic (both translated) and by OpenAI itself (native pass-through).
export let chat: MockUpstream;
export let claude: MockUpstream;
export let openai: MockUpstream;
export let gem: MockUpstream;
export let ark: MockUpstream;
export let proxy: TestProxy;
export let client: OpenAI;

export const weather = {
  type: "function" as const,
  name: "get_weather",
  description: "Weather for a city",
  parameters: { type: "object", properties: { city: { type: "string" } } },
  strict: false,
};
export const lastChat = () => chat.received("/chat/completions").at(-1)?.body as Record<string, unknown>;
export const lastClaude = () => claude.received("/v1/messages").at(-1)?.body as Record<string, unknown>;

/** The body the upstream serving `model` got last, as text. */
export const lastUpstream = (model: string): string => {
  const m = { "chat-model": chat, "claude-model": claude, "gemini-model": gem, "doubao-model": ark }[model];
  return JSON.stringify(m?.requests.at(-1)?.body);
};

/** Starts the upstreams and the proxy for the calling test file, and resets the mocks between tests. */
export function useResponsesWorld(): void {
  beforeAll(async () => {
    chat = await startMockUpstream();
    claude = await startMockUpstream();
    openai = await startMockUpstream();
    gem = await startMockUpstream();
    ark = await startMockUpstream();
    proxy = await startTestProxy({
      server: { failure_threshold: 1000 },
      providers: [
        { name: "compat", type: "openai-compatible", base_url: chat.baseUrl, api_key: "sk-compat", timeout_ms: 2000 },
        { name: "claude", type: "anthropic", base_url: claude.url, api_key: "sk-ant", timeout_ms: 2000 },
        { name: "oai", type: "openai", base_url: openai.baseUrl, api_key: "sk-oai", timeout_ms: 2000 },
        { name: "gem", type: "gemini", base_url: `${gem.url}/v1beta`, api_key: "AIza-up", timeout_ms: 2000 },
        { name: "ark", type: "volcengine", base_url: `${ark.url}/api/v3`, api_key: "ark-key", timeout_ms: 2000 },
      ],
      models: [
        { name: "chat-model", providers: [{ provider: "compat", model: "qwen-upstream" }] },
        { name: "claude-model", providers: [{ provider: "claude", model: "claude-upstream" }] },
        { name: "gpt-model", providers: [{ provider: "oai", model: "gpt-upstream" }] },
        { name: "gemini-model", providers: [{ provider: "gem", model: "gemini-2.5-flash" }] },
        { name: "doubao-model", providers: [{ provider: "ark", model: "ep-2025" }] },
        { name: "strict-model", strict: true, providers: [{ provider: "compat", model: "qwen-upstream" }] },
      ],
    });
    client = new OpenAI({ baseURL: `${proxy.url}/v1`, apiKey: "unused", maxRetries: 0 });
  });
  afterAll(async () => {
    await proxy.close();
    await Promise.all([chat.close(), claude.close(), openai.close(), gem.close(), ark.close()]);
  });
  beforeEach(() => {
    for (const m of [chat, claude, openai, gem, ark]) {
      m.behavior.reset();
      m.requests.length = 0;
    }
  });
}
