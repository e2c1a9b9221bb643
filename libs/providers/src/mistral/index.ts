import type { ProviderAdapter } from "../adapter.js";
import { createOpenAIBaseAdapter } from "../openai-base/index.js";
import { dropFields } from "../openai-base/quirks.js";
import { mistralFim } from "./fim.js";

/**
 * Mistral (`https://api.mistral.ai/v1`). Its API refuses fields it does not know (422 "Extra inputs are
 * not permitted"): `seed` is sent as `random_seed`, `max_completion_tokens` as `max_tokens`,
 * `tool_choice: "required"` as "any"; `stream_options` is never sent (Mistral puts usage in the last
 * chunk anyway), and `store`, `metadata`, `logit_bias`, `logprobs`, `top_logprobs`, `user`,
 * `service_tier` and `reasoning_effort` are dropped with a warning.
 */
export const mistralAdapter: ProviderAdapter = createOpenAIBaseAdapter({
  type: "mistral",
  defaultBaseUrl: "https://api.mistral.ai/v1",
  keyRequired: true,
  prefill: "prefix",
  streamOptions: false,
  // Legacy completions and FIM (`suffix`, Codestral) at its own `/fim/completions`.
  completions: mistralFim,
  adjustChat: (body) => {
    const changed: string[] = [];
    if (body.seed !== undefined) {
      body.random_seed = body.seed;
      delete body.seed;
    }
    if (body.max_completion_tokens !== undefined) {
      body.max_tokens ??= body.max_completion_tokens;
      delete body.max_completion_tokens;
    }
    if (body.tool_choice === "required") body.tool_choice = "any";
    delete body.stream_options;
    changed.push(
      ...dropFields(body, ["store", "metadata", "logit_bias", "logprobs", "top_logprobs", "user", "service_tier", "reasoning_effort"]),
    );
    return changed;
  },
});
