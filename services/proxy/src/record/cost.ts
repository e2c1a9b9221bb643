import type { OpenAIUsage, Price } from "@ai-router/contracts";

/** Cost in USD from a target's price table; undefined when it has none (never treated as free). */
export function costOf(usage: OpenAIUsage | undefined, price: Price | undefined): number | undefined {
  if (!usage || !price) return undefined;
  return costOfTokens(usage.prompt_tokens, usage.completion_tokens, usage.prompt_tokens_details?.cached_tokens ?? 0, usage.images, price);
}

/** The same from plain counts (cached input priced apart, images at `per_image`). */
export function costOfTokens(prompt: number, completion: number, cached: number, images: number | undefined, price: Price): number {
  const cachedPrice = price.cached_input_per_mtok ?? price.input_per_mtok;
  const imageCost = price.per_image !== undefined && images ? images * price.per_image : 0;
  return ((prompt - cached) * price.input_per_mtok + cached * cachedPrice + completion * price.output_per_mtok) / 1e6 + imageCost;
}
