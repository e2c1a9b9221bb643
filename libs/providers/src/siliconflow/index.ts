import type { ProviderAdapter } from "../adapter.js";
import { createOpenAIBaseAdapter, OPENAI_ENDPOINTS } from "../openai-base/index.js";
import { stripReasoningContent, wantsReasoning } from "../openai-base/quirks.js";
import { jinaRerank } from "../rerank/formats.js";

/**
 * SiliconFlow (`https://api.siliconflow.cn/v1`; international `https://api.siliconflow.com/v1`), model ids
 * namespaced (`deepseek-ai/DeepSeek-V3`). Reasoning models answer with `reasoning_content` (refused back
 * in history, so removed); `reasoning_effort` becomes `enable_thinking` for hybrid models (Qwen3).
 */
export const siliconflowAdapter: ProviderAdapter = createOpenAIBaseAdapter({
  type: "siliconflow",
  defaultBaseUrl: "https://api.siliconflow.cn/v1",
  keyRequired: true,
  endpoints: [...OPENAI_ENDPOINTS, "rerank"],
  rerank: jinaRerank(),
  adjustChat: (body) => {
    stripReasoningContent(body);
    if (body.reasoning_effort !== undefined) {
      body.enable_thinking = wantsReasoning(body);
      delete body.reasoning_effort;
    }
    return [];
  },
});
