import type { ProviderAdapter } from "../adapter.js";
import { createOpenAIBaseAdapter, OPENAI_ENDPOINTS } from "../openai-base/index.js";
import { stripReasoningContent, wantsReasoning } from "../openai-base/quirks.js";
import { dashscopeRerank } from "./rerank.js";

/**
 * Alibaba Qwen through DashScope's OpenAI-compatible mode (`https://dashscope.aliyuncs.com/compatible-mode/v1`;
 * international: `https://dashscope-intl.aliyuncs.com/compatible-mode/v1`). Qwen3 models think when
 * `enable_thinking` is true, and only in streams: a non-streaming call with thinking on is refused
 * ("parameter.enable_thinking must be set to false for non-streaming calls"). So `reasoning_effort`
 * becomes `enable_thinking: true` on streams, and non-streaming calls always send `enable_thinking:
 * false` (with a warning when the client asked to think). Thinking arrives as `reasoning_content`.
 * Rerank (`gte-rerank-v2`) goes to DashScope's own rerank service (`rerank.ts`).
 */
export const qwenAdapter: ProviderAdapter = createOpenAIBaseAdapter({
  type: "qwen",
  defaultBaseUrl: "https://dashscope.aliyuncs.com/compatible-mode/v1",
  keyRequired: true,
  prefill: "partial",
  endpoints: [...OPENAI_ENDPOINTS, "rerank"],
  rerank: dashscopeRerank(),
  adjustChat: (body, { stream }) => {
    const changed: string[] = [];
    stripReasoningContent(body);
    const asked = wantsReasoning(body) || body.enable_thinking === true;
    if (body.reasoning_effort !== undefined) delete body.reasoning_effort;
    if (stream) {
      if (asked) body.enable_thinking = true;
    } else {
      if (asked) changed.push("enable_thinking (Qwen thinks only in streams: sent as false)");
      body.enable_thinking = false;
    }
    return changed;
  },
});
