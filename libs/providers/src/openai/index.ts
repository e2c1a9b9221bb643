import type { ProviderAdapter } from "../adapter.js";
import { createOpenAIBaseAdapter } from "../openai-base/index.js";

/** OpenAI itself (`https://api.openai.com/v1`). */
export const openaiAdapter: ProviderAdapter = createOpenAIBaseAdapter({
  type: "openai",
  defaultBaseUrl: "https://api.openai.com/v1",
  keyRequired: true,
});
