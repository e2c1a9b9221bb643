import { type MockUpstream, startMockUpstream } from "@ai-router/testing";
import { afterAll, beforeAll } from "vitest";
import { describeAdapterConformance } from "./conformance.js";
import { getAdapter } from "./registry.js";

let mock: MockUpstream;
beforeAll(async () => {
  mock = await startMockUpstream();
});
afterAll(() => mock.close());

const bearer = (h: Record<string, string | string[] | undefined>) => String(h.authorization ?? "").replace(/^Bearer /, "") || undefined;

for (const type of ["openai", "openai-compatible", "volcengine"] as const) {
  describeAdapterConformance(
    type,
    { adapter: getAdapter(type)!, baseUrl: (m) => `${m.url}${type === "volcengine" ? "/api/v3" : "/v1"}`, authOf: bearer },
    () => mock,
  );
}
describeAdapterConformance(
  "anthropic",
  {
    adapter: getAdapter("anthropic")!,
    baseUrl: (m) => m.url,
    authOf: (h) => (typeof h["x-api-key"] === "string" ? h["x-api-key"] : undefined),
  },
  () => mock,
);
describeAdapterConformance(
  "gemini",
  {
    adapter: getAdapter("gemini")!,
    baseUrl: (m) => `${m.url}/v1beta`,
    authOf: (h) => (typeof h["x-goog-api-key"] === "string" ? h["x-goog-api-key"] : undefined),
  },
  () => mock,
);

// The OpenAI-compatible presets: each on the mock at its own base path, with its auth.
const presetPaths: Record<string, string> = {
  deepseek: "/v1",
  qwen: "/compatible-mode/v1",
  moonshot: "/v1",
  zhipu: "/api/paas/v4",
  qianfan: "/v2",
  minimax: "/v1",
  siliconflow: "/v1",
  openrouter: "/api/v1",
  groq: "/openai/v1",
  xai: "/v1",
  together: "/v1",
  ollama: "/v1",
  vllm: "/v1",
};
for (const [type, path] of Object.entries(presetPaths)) {
  describeAdapterConformance(type, { adapter: getAdapter(type)!, baseUrl: (m) => `${m.url}${path}`, authOf: bearer }, () => mock);
}
describeAdapterConformance(
  "azure-openai",
  {
    adapter: getAdapter("azure-openai")!,
    baseUrl: (m) => `${m.url}/openai?api-version=2024-06-01`,
    authOf: (h) => (h.authorization === undefined && typeof h["api-key"] === "string" ? h["api-key"] : undefined),
  },
  () => mock,
);

// Mistral's mock refuses the fields the real API refuses, and reports stream usage on its own.
let strict: MockUpstream;
beforeAll(async () => {
  strict = await startMockUpstream();
  strict.behavior.fallback = {
    rejectFields: ["stream_options", "seed", "max_completion_tokens", "store", "user", "logit_bias"],
    streamUsage: "always",
  };
});
afterAll(() => strict.close());
describeAdapterConformance("mistral", { adapter: getAdapter("mistral")!, baseUrl: (m) => `${m.url}/v1`, authOf: bearer }, () => strict);
