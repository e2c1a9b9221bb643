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
