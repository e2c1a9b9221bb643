import type { ProviderAdapter } from "../adapter.js";
import { createOpenAIBaseAdapter } from "../openai-base/index.js";
import { openaiNativeResponses } from "./responses-native.js";

export { openaiNativeResponses, ResponsesPassthroughStream, responsesUsageToOpenAI } from "./responses-native.js";

/** OpenAI itself (`https://api.openai.com/v1`): chat translated as the hub, `/v1/responses` passed through natively. */
export const openaiAdapter: ProviderAdapter = createOpenAIBaseAdapter({
  type: "openai",
  defaultBaseUrl: "https://api.openai.com/v1",
  keyRequired: true,
  native: { responses: openaiNativeResponses },
});
