import type { ProviderAdapter } from "../adapter.js";
import { createOpenAIBaseAdapter } from "../openai-base/index.js";
import { voyageRerank } from "../rerank/formats.js";

/** Voyage AI (`https://api.voyageai.com/v1`, Bearer key): embeddings and rerank (`top_k`, results in `data`). */
export const voyageAdapter: ProviderAdapter = createOpenAIBaseAdapter({
  type: "voyage",
  defaultBaseUrl: "https://api.voyageai.com/v1",
  keyRequired: true,
  probePath: null,
  endpoints: ["chat", "embeddings", "rerank"],
  rerank: voyageRerank(),
});
