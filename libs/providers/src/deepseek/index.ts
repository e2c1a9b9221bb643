import type { ProviderAdapter } from "../adapter.js";
import { createOpenAIBaseAdapter } from "../openai-base/index.js";
import { dropFields, stripReasoningContent } from "../openai-base/quirks.js";
import { deepseekCompletions } from "./fim.js";

/**
 * DeepSeek (`https://api.deepseek.com/v1`, Bearer key). `deepseek-reasoner` answers with
 * `reasoning_content` beside `content` (JSON and stream deltas): OpenAI clients get it as it is, and
 * Anthropic clients (`/v1/messages`) get it as `thinking` blocks. DeepSeek refuses `reasoning_content`
 * in the history it is sent back, so it is removed from assistant messages; reasoning is chosen by the
 * model (deepseek-reasoner), so `reasoning_effort` is dropped with a warning. Legacy completions and FIM
 * go to its beta endpoint (`fim.ts`).
 */
export const deepseekAdapter: ProviderAdapter = createOpenAIBaseAdapter({
  type: "deepseek",
  defaultBaseUrl: "https://api.deepseek.com/v1",
  keyRequired: true,
  prefill: "prefix",
  completions: deepseekCompletions,
  adjustChat: (body) => {
    stripReasoningContent(body);
    return dropFields(body, ["reasoning_effort"]);
  },
});
