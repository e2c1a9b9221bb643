import type { LiveProvider } from "../routing/runtime-table.js";
import type { FineTuningApi } from "./ft-api.js";
import { mistralFineTuning } from "./ft-mistral.js";
import { openAIFineTuning } from "./ft-openai.js";
import { togetherFineTuning } from "./ft-together.js";
import { FineTuningUpstream } from "./ft-upstream.js";

/** Each provider type with a fine-tuning API, and how the router speaks to it. */
const APIS: Record<string, (up: FineTuningUpstream) => FineTuningApi> = {
  openai: (up) => openAIFineTuning(up, { pause: true }),
  // Azure OpenAI: OpenAI's shape under `{endpoint}/openai` with `api-key` and `api-version` (upstreamStyle).
  "azure-openai": (up) => openAIFineTuning(up, { pause: false }),
  together: togetherFineTuning,
  mistral: mistralFineTuning,
};

/** Provider types whose models can be fine-tuned through the router. */
export const FINE_TUNING_TYPES: ReadonlySet<string> = new Set(Object.keys(APIS));

/** The fine-tuning API of a provider, or undefined when its type has none. */
export function fineTuningApiFor(live: LiveProvider): FineTuningApi | undefined {
  const make = APIS[live.config.type];
  return make ? make(new FineTuningUpstream(live)) : undefined;
}
