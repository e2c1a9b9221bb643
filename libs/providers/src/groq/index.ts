import type { ProviderAdapter } from "../adapter.js";
import { createOpenAIBaseAdapter } from "../openai-base/index.js";
import { dropFields } from "../openai-base/quirks.js";

/**
 * Groq (`https://api.groq.com/openai/v1`). It refuses `logprobs`, `top_logprobs` and `logit_bias`, and `n`
 * other than 1: those are dropped with a warning rather than failing the request.
 */
export const groqAdapter: ProviderAdapter = createOpenAIBaseAdapter({
  type: "groq",
  defaultBaseUrl: "https://api.groq.com/openai/v1",
  keyRequired: true,
  adjustChat: (body) => {
    const dropped = dropFields(body, ["logprobs", "top_logprobs", "logit_bias"]);
    if (typeof body.n === "number" && body.n !== 1) dropped.push(...dropFields(body, ["n"]));
    return dropped;
  },
});
