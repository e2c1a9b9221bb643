import type { ProviderAdapter } from "../adapter.js";
import { createOpenAIBaseAdapter } from "../openai-base/index.js";
import { dropFields } from "../openai-base/quirks.js";

/**
 * xAI Grok (`https://api.x.ai/v1`). Grok 4 models refuse `presence_penalty`, `frequency_penalty`, `stop`
 * and `reasoning_effort` (they always reason): those are dropped for `grok-4*` with a warning. Reasoning
 * of grok-3-mini arrives as `reasoning_content`.
 */
export const xaiAdapter: ProviderAdapter = createOpenAIBaseAdapter({
  type: "xai",
  defaultBaseUrl: "https://api.x.ai/v1",
  keyRequired: true,
  adjustChat: (body, { target }) =>
    target.upstreamModel.startsWith("grok-4")
      ? dropFields(body, ["presence_penalty", "frequency_penalty", "stop", "reasoning_effort"])
      : [],
});
