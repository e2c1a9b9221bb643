import type { ProviderAdapter } from "../adapter.js";
import { createOpenAIBaseAdapter } from "../openai-base/index.js";
import { wantsReasoning } from "../openai-base/quirks.js";

/**
 * OpenRouter (`https://openrouter.ai/api/v1`), model ids `vendor/model`. `reasoning_effort` becomes its
 * unified `reasoning: {effort}` ("none"/"minimal": `{exclude: true}`); requests carry `X-Title: AI Router`
 * for attribution unless the provider's headers set one.
 */
export const openrouterAdapter: ProviderAdapter = createOpenAIBaseAdapter({
  type: "openrouter",
  defaultBaseUrl: "https://openrouter.ai/api/v1",
  keyRequired: true,
  adjustChat: (body) => {
    if (body.reasoning_effort !== undefined && body.reasoning === undefined) {
      body.reasoning = wantsReasoning(body) ? { effort: body.reasoning_effort } : { exclude: true };
      delete body.reasoning_effort;
    }
    return [];
  },
  finish: (req) => {
    if (!Object.keys(req.headers).some((h) => h.toLowerCase() === "x-title")) req.headers["x-title"] = "AI Router";
    return req;
  },
});
