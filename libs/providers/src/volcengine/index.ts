import type { ProviderAdapter } from "../adapter.js";
import { createOpenAIBaseAdapter } from "../openai-base/index.js";

/**
 * Volcengine Ark: OpenAI-compatible at `https://ark.cn-beijing.volces.com/api/v3` with a Bearer key;
 * the upstream model id is the endpoint/model id from the Ark console.
 */
export const volcengineAdapter: ProviderAdapter = createOpenAIBaseAdapter({
  type: "volcengine",
  defaultBaseUrl: "https://ark.cn-beijing.volces.com/api/v3",
  keyRequired: true,
});
