import type { Price } from "@ai-router/contracts";

/**
 * USD for a request's tokens at a target's price: cached input at its own price (the input price when
 * none), images at `per_image`. A request without a price has no cost (null in its record, never 0).
 */
export function costOfTokens(prompt: number, completion: number, cached: number, images: number | undefined, price: Price): number {
  const cachedPrice = price.cached_input_per_mtok ?? price.input_per_mtok;
  const imageCost = price.per_image !== undefined && images ? images * price.per_image : 0;
  return ((prompt - cached) * price.input_per_mtok + cached * cachedPrice + completion * price.output_per_mtok) / 1e6 + imageCost;
}
