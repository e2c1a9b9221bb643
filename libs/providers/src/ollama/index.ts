import type { ProviderAdapter } from "../adapter.js";
import { createOpenAIBaseAdapter } from "../openai-base/index.js";

/** Ollama's OpenAI-compatible API (`http://127.0.0.1:11434/v1`): no key needed; probed with its model list. */
export const ollamaAdapter: ProviderAdapter = createOpenAIBaseAdapter({
  type: "ollama",
  defaultBaseUrl: "http://127.0.0.1:11434/v1",
  keyRequired: false,
});
