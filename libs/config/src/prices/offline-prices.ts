import type { Price } from "@ai-router/contracts";

/**
 * Prices of the offline APIs (issue 22), read from OpenAI's, Mistral's and Together's public price pages
 * on the price list's date: fine-tuning (training per million tokens, and the fine-tuned model's own inference price) and the
 * Batch API's discount. A link's own price still wins for inference (the fine-tuned model has none).
 */
interface FineTuningRow {
  /** Base models as the provider names them (a dated snapshot `-YYYY-MM-DD` matches its alias). */
  models: readonly string[];
  providers: readonly string[];
  trainingPerMtok: number;
  /** The fine-tuned model's own inference price; absent = the base model's. */
  inference?: Price;
}

const OPENAI = ["openai", "azure-openai"] as const;
const usd = (input: number, output: number, cached?: number): Price =>
  cached === undefined
    ? { input_per_mtok: input, output_per_mtok: output }
    : { input_per_mtok: input, output_per_mtok: output, cached_input_per_mtok: cached };

export const FINE_TUNING_PRICES: readonly FineTuningRow[] = [
  { models: ["gpt-4.1"], providers: OPENAI, trainingPerMtok: 25, inference: usd(3, 12, 0.75) },
  { models: ["gpt-4.1-mini"], providers: OPENAI, trainingPerMtok: 5, inference: usd(0.8, 3.2, 0.2) },
  { models: ["gpt-4.1-nano"], providers: OPENAI, trainingPerMtok: 1.5, inference: usd(0.2, 0.8, 0.05) },
  { models: ["gpt-4o"], providers: OPENAI, trainingPerMtok: 25, inference: usd(3.75, 15, 1.875) },
  { models: ["gpt-4o-mini"], providers: OPENAI, trainingPerMtok: 3, inference: usd(0.3, 1.2, 0.15) },
  { models: ["gpt-3.5-turbo"], providers: OPENAI, trainingPerMtok: 8, inference: usd(3, 6) },
  // Mistral's La Plateforme: a one-off training price per million tokens; the tuned model is served at the base's price.
  { models: ["open-mistral-7b"], providers: ["mistral"], trainingPerMtok: 2 },
  { models: ["open-mistral-nemo", "open-mistral-nemo-2407"], providers: ["mistral"], trainingPerMtok: 1 },
  { models: ["codestral-latest", "codestral-2405"], providers: ["mistral"], trainingPerMtok: 3 },
  { models: ["mistral-small-latest", "mistral-small-2409"], providers: ["mistral"], trainingPerMtok: 4 },
  { models: ["mistral-large-latest", "mistral-large-2407", "mistral-large-2411"], providers: ["mistral"], trainingPerMtok: 9 },
];

/**
 * Together prices fine-tuning by the base model's size (LoRA supervised fine-tuning, its default): USD
 * per million trained tokens up to each bound in billions of parameters; larger models have no default.
 */
export const TOGETHER_TRAINING_BY_SIZE: readonly { upToB: number; perMtok: number }[] = [
  { upToB: 16, perMtok: 0.48 },
  { upToB: 69, perMtok: 1.5 },
  { upToB: 100, perMtok: 2.9 },
];

/** Billions of parameters named in a model id (`Meta-Llama-3.1-8B-Instruct` -> 8, `Mixtral-8x7B` -> 56). */
export function paramsInBillions(model: string): number | undefined {
  const moe = /(?:^|[^a-z0-9.])(\d+)x(\d+(?:\.\d+)?)b(?![a-z0-9])/i.exec(model);
  if (moe) return Number(moe[1]) * Number(moe[2]);
  const m = /(?:^|[^a-z0-9.])(\d+(?:\.\d+)?)b(?![a-z0-9])/i.exec(model);
  return m ? Number(m[1]) : undefined;
}

/** Batch APIs at a fraction of the model's price, by provider type (OpenAI, Azure OpenAI, Anthropic: half). */
export const BATCH_PRICE_FACTOR: Readonly<Record<string, number>> = { openai: 0.5, "azure-openai": 0.5, anthropic: 0.5 };

/** `gpt-4o-mini-2024-07-18` -> `gpt-4o-mini`; `ft:gpt-4o-mini-2024-07-18:org::id` -> `gpt-4o-mini`. */
export function fineTuningBase(model: string): string {
  const id = model.toLowerCase().startsWith("ft:") ? (model.split(":")[1] ?? "") : model;
  return id.toLowerCase().replace(/-\d{4}-\d{2}-\d{2}$/, "");
}

function row(providerType: string, baseModel: string): FineTuningRow | undefined {
  const id = fineTuningBase(baseModel);
  return FINE_TUNING_PRICES.find((r) => r.providers.includes(providerType) && r.models.includes(id));
}

/** The inference price of a model fine-tuned from `baseModel` at a provider of this type, when published. */
export function fineTunedPrice(providerType: string, baseModel: string): Price | undefined {
  return row(providerType, baseModel)?.inference;
}

/** USD per million trained tokens of `baseModel` at a provider of this type, when published. */
export function trainingPricePerMtok(providerType: string, baseModel: string): number | undefined {
  if (providerType === "together") {
    const size = paramsInBillions(baseModel);
    return size === undefined ? undefined : TOGETHER_TRAINING_BY_SIZE.find((b) => size <= b.upToB)?.perMtok;
  }
  return row(providerType, baseModel)?.trainingPerMtok;
}

/** A model's price through the provider's Batch API: its discount applied to every unit price, else the price itself. */
export function batchPrice(providerType: string, price: Price | undefined): Price | undefined {
  const f = BATCH_PRICE_FACTOR[providerType];
  if (price === undefined || f === undefined) return price;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(price)) out[k] = typeof v === "number" ? Math.round(v * f * 1e6) / 1e6 : v;
  return out as Price;
}
