import type { ProviderAdapter } from "../adapter.js";
import { createOpenAIBaseAdapter } from "../openai-base/index.js";
import { clampTemperature } from "../openai-base/quirks.js";

/**
 * Baidu Qianfan ModelBuilder, inference API v2 (`https://qianfan.baidubce.com/v2`), OpenAI-compatible with
 * a Bearer API key (`bce-v3/ALTAK-...`); an application id goes in the provider's `headers: { appid: ... }`.
 * ERNIE's temperature range is (0, 1]: values outside are clamped with a warning. Not probed (judged from
 * live traffic).
 */
export const qianfanAdapter: ProviderAdapter = createOpenAIBaseAdapter({
  type: "qianfan",
  defaultBaseUrl: "https://qianfan.baidubce.com/v2",
  keyRequired: true,
  probePath: null,
  adjustChat: (body) => clampTemperature(body, 1, true),
});
