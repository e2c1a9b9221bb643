import type { ProviderAdapter } from "../adapter.js";
import { createOpenAIBaseAdapter } from "../openai-base/index.js";

/** Any server speaking OpenAI's API (vLLM, Ollama, LM Studio, TGI, a private deployment): base URL required, key optional. */
export const openaiCompatibleAdapter: ProviderAdapter = createOpenAIBaseAdapter({ type: "openai-compatible", keyRequired: false });
