import type { ProviderAdapter } from "../adapter.js";
import { createOpenAIBaseAdapter, OPENAI_ENDPOINTS } from "../openai-base/index.js";
import { jinaRerank } from "../rerank/formats.js";

/** Any server speaking OpenAI's API (vLLM, Ollama, LM Studio, TGI, a private deployment): base URL required, key optional. */
export const openaiCompatibleAdapter: ProviderAdapter = createOpenAIBaseAdapter({
  type: "openai-compatible",
  keyRequired: false,
  // TEI, vLLM and Infinity answer rerank in Jina's format.
  endpoints: [...OPENAI_ENDPOINTS, "rerank"],
  rerank: jinaRerank(),
});
