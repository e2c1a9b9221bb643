import type { ProviderAdapter } from "../adapter.js";
import { createOpenAIBaseAdapter, OPENAI_ENDPOINTS } from "../openai-base/index.js";
import { wantsReasoning } from "../openai-base/quirks.js";
import { jinaRerank } from "../rerank/formats.js";

/**
 * vLLM's OpenAI-compatible server (`http://127.0.0.1:8000/v1` by default, which is also the router's own
 * port: on one host give one of them another). No key needed (`--api-key` makes one). `reasoning_effort`
 * becomes `chat_template_kwargs.enable_thinking` (Qwen3-style hybrid models); with a reasoning parser,
 * thinking arrives as `reasoning_content`.
 */
export const vllmAdapter: ProviderAdapter = createOpenAIBaseAdapter({
  type: "vllm",
  defaultBaseUrl: "http://127.0.0.1:8000/v1",
  keyRequired: false,
  endpoints: [...OPENAI_ENDPOINTS, "rerank"],
  rerank: jinaRerank(),
  prefill: "continue_final_message",
  adjustChat: (body) => {
    if (body.reasoning_effort !== undefined) {
      const kwargs = (body.chat_template_kwargs as Record<string, unknown> | undefined) ?? {};
      body.chat_template_kwargs = Object.assign({}, kwargs, { enable_thinking: wantsReasoning(body) });
      delete body.reasoning_effort;
    }
    return [];
  },
});
