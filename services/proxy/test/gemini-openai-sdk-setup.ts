import { type MockUpstream, startMockUpstream } from "@ai-router/testing";
import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach } from "vitest";
import { startTestProxy, type TestProxy } from "./harness.js";

// The openai SDK (and @anthropic-ai/sdk on /v1/messages) against models served by Gemini: every
// answer must look like the client's own API, and every upstream request like Gemini's.
export let gemini: MockUpstream;
export let backup: MockUpstream;
export let proxy: TestProxy;
export let client: OpenAI;

export type Json = Record<string, any>;
export const sent = (m = gemini) => m.requests.at(-1) as { path: string; model?: string; headers: Json; body: Json };
export const weather = {
  type: "function" as const,
  function: {
    name: "get_weather",
    // What zod-based OpenAI helpers send: Gemini refuses additionalProperties and $schema.
    parameters: {
      $schema: "http://json-schema.org/draft-07/schema#",
      type: "object",
      additionalProperties: false,
      properties: { city: { type: "string" } },
    },
  },
};
export const time = { type: "function" as const, function: { name: "get_time", parameters: { type: "object", properties: {} } } };

/** Starts the upstreams and the proxy for the calling test file, and resets the mocks between tests. */
export function useGeminiWorld(): void {
  beforeAll(async () => {
    gemini = await startMockUpstream();
    backup = await startMockUpstream();
    const urls = [gemini.url, backup.url];
    proxy = await startTestProxy({
      // Failures must not cool the primary down between tests.
      server: { failure_threshold: 1000 },
      providers: urls.map((u, i) => ({
        name: `gemini${i}`,
        type: "gemini",
        base_url: `${u}/v1beta`,
        api_key: `AIza-up-${i}`,
        timeout_ms: 2000,
      })),
      models: [
        {
          name: "gemini-test",
          strategy: "fallback",
          providers: urls.map((_, i) => ({ provider: `gemini${i}`, model: "gemini-2.5-flash", priority: i })),
        },
        { name: "gemini-3-test", providers: [{ provider: "gemini0", model: "gemini-3-pro-preview" }] },
        { name: "gemini-strict", strict: true, providers: [{ provider: "gemini0", model: "gemini-2.5-flash" }] },
      ],
    });
    client = new OpenAI({ baseURL: `${proxy.url}/v1`, apiKey: "unused", maxRetries: 0 });
  });
  afterAll(async () => {
    await proxy.close();
    await gemini.close();
    await backup.close();
  });
  beforeEach(() => {
    gemini.behavior.reset();
    backup.behavior.reset();
    gemini.requests.length = 0;
    backup.requests.length = 0;
  });
}
