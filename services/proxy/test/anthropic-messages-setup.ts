import { type MockUpstream, startMockUpstream } from "@ai-router/testing";
import Anthropic from "@anthropic-ai/sdk";
import { afterAll, beforeAll, beforeEach } from "vitest";
import { startTestProxy, type TestProxy } from "./harness.js";

// The @anthropic-ai/sdk against POST /v1/messages: translated for an OpenAI-served model, passed
// through for an Anthropic-served one. Either way the client sees Anthropic's API.
export let openai: MockUpstream;
export let claude: MockUpstream;
export let proxy: TestProxy;
export let client: Anthropic;

export const lastOpenAI = () => openai.received("/chat/completions").at(-1)?.body as Record<string, unknown>;
export const weather = {
  name: "get_weather",
  description: "Weather",
  input_schema: { type: "object" as const, properties: { city: { type: "string" } } },
};
export const time = { name: "get_time", input_schema: { type: "object" as const, properties: {} } };

/** Starts the upstreams and the proxy for the calling test file, and resets the mocks between tests. */
export function useAnthropicMessagesWorld(): void {
  beforeAll(async () => {
    openai = await startMockUpstream();
    claude = await startMockUpstream();
    proxy = await startTestProxy({
      server: { failure_threshold: 1000 },
      providers: [
        { name: "oai", type: "openai-compatible", base_url: openai.baseUrl, api_key: "sk-oai", timeout_ms: 2000 },
        { name: "claude", type: "anthropic", base_url: claude.url, api_key: "sk-ant-up", timeout_ms: 2000 },
        { name: "demo", type: "mock" },
      ],
      models: [
        { name: "gpt-4o", providers: [{ provider: "oai", model: "gpt-4o-2024" }] },
        { name: "gpt-strict", strict: true, providers: [{ provider: "oai", model: "gpt-4o-2024" }] },
        { name: "claude-test", providers: [{ provider: "claude", model: "claude-upstream-1" }] },
        { name: "demo", providers: [{ provider: "demo" }] },
      ],
      keys: [{ name: "team", key: "sk-router-team" }],
    });
    client = new Anthropic({ baseURL: proxy.url, apiKey: "sk-router-team", maxRetries: 0 });
  });
  afterAll(async () => {
    await proxy.close();
    await openai.close();
    await claude.close();
  });
  beforeEach(() => {
    openai.behavior.reset();
    claude.behavior.reset();
    openai.requests.length = 0;
    claude.requests.length = 0;
  });
}
