import type { ProviderAdapter, UpstreamRequest } from "../adapter.js";
import { createOpenAIBaseAdapter } from "../openai-base/index.js";
import { cohereRerank } from "../rerank/formats.js";

/**
 * Cohere (`https://api.cohere.com`, Bearer key): rerank in its v2 format at `<base_url>/v2/rerank`;
 * chat and embeddings through its OpenAI compatibility API (`/compatibility/v1`).
 */
export const cohereAdapter: ProviderAdapter = createOpenAIBaseAdapter({
  type: "cohere",
  defaultBaseUrl: "https://api.cohere.com",
  keyRequired: true,
  probePath: "/v1/models",
  endpoints: ["chat", "embeddings", "rerank"],
  rerank: cohereRerank(),
  finish: (req: UpstreamRequest) => (req.path.startsWith("/v2/") ? req : Object.assign({}, req, { path: `/compatibility/v1${req.path}` })),
});
