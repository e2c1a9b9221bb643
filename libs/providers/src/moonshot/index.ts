import type { ProviderAdapter } from "../adapter.js";
import { createOpenAIBaseAdapter } from "../openai-base/index.js";
import { clampTemperature } from "../openai-base/quirks.js";

/**
 * Moonshot / Kimi (`https://api.moonshot.cn/v1`; international `https://api.moonshot.ai/v1`). Its
 * temperature range is [0, 1] (OpenAI's is [0, 2]): higher values are clamped to 1 with a warning, and
 * `tool_choice: "required"`, which Kimi does not take, becomes "auto" with a warning.
 */
export const moonshotAdapter: ProviderAdapter = createOpenAIBaseAdapter({
  type: "moonshot",
  defaultBaseUrl: "https://api.moonshot.cn/v1",
  keyRequired: true,
  prefill: "partial",
  adjustChat: (body) => {
    const changed = clampTemperature(body, 1);
    if (body.tool_choice === "required") {
      body.tool_choice = "auto";
      changed.push('tool_choice ("required" sent as "auto")');
    }
    return changed;
  },
});
