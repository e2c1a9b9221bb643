import type { ProviderAdapter } from "../adapter.js";
import { createOpenAIBaseAdapter } from "../openai-base/index.js";
import { clampTemperature, stripReasoningContent, wantsReasoning } from "../openai-base/quirks.js";

/**
 * Zhipu GLM (`https://open.bigmodel.cn/api/paas/v4`; Z.ai international `https://api.z.ai/api/paas/v4`).
 * GLM-4.5+ thinks when `thinking: {type: "enabled"}`: the client's `reasoning_effort` is mapped to it
 * (and "none"/"minimal" to disabled); thinking arrives as `reasoning_content`. Temperature is [0, 1].
 * Not probed (no free model-list endpoint is documented): judged from live traffic.
 */
export const zhipuAdapter: ProviderAdapter = createOpenAIBaseAdapter({
  type: "zhipu",
  defaultBaseUrl: "https://open.bigmodel.cn/api/paas/v4",
  keyRequired: true,
  probePath: null,
  adjustChat: (body) => {
    stripReasoningContent(body);
    if (body.reasoning_effort !== undefined) {
      body.thinking = { type: wantsReasoning(body) ? "enabled" : "disabled" };
      delete body.reasoning_effort;
    }
    return clampTemperature(body, 1);
  },
});
