import type { ProviderAdapter } from "../adapter.js";
import { createOpenAIBaseAdapter } from "../openai-base/index.js";
import { clampTemperature } from "../openai-base/quirks.js";

/**
 * MiniMax (`https://api.minimax.chat/v1`; international `https://api.minimax.io/v1`), OpenAI-compatible.
 * Temperature must be in (0, 1]: 0 becomes 0.01 and values above 1 become 1, with a warning. Not probed
 * (judged from live traffic).
 */
export const minimaxAdapter: ProviderAdapter = createOpenAIBaseAdapter({
  type: "minimax",
  defaultBaseUrl: "https://api.minimax.chat/v1",
  keyRequired: true,
  probePath: null,
  adjustChat: (body) => clampTemperature(body, 1, true),
});
