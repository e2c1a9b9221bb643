import type { ProviderAdapter } from "../adapter.js";
import { createOpenAIBaseAdapter } from "../openai-base/index.js";

/** Together AI (`https://api.together.xyz/v1`), model ids namespaced (`meta-llama/...`); OpenAI-compatible as is. */
export const togetherAdapter: ProviderAdapter = createOpenAIBaseAdapter({
  type: "together",
  defaultBaseUrl: "https://api.together.xyz/v1",
  keyRequired: true,
});
