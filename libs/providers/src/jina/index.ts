import type { ProviderAdapter } from "../adapter.js";
import { createOpenAIBaseAdapter } from "../openai-base/index.js";
import { jinaRerank } from "../rerank/formats.js";

/** Jina AI (`https://api.jina.ai/v1`, Bearer key): embeddings and rerank (its format is the one SiliconFlow, vLLM and TEI speak). */
export const jinaAdapter: ProviderAdapter = createOpenAIBaseAdapter({
  type: "jina",
  defaultBaseUrl: "https://api.jina.ai/v1",
  keyRequired: true,
  probePath: null,
  endpoints: ["chat", "embeddings", "rerank"],
  rerank: jinaRerank(),
});
