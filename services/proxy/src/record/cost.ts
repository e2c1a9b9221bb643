import type { Price } from "@ai-router/contracts";

/**
 * USD for a request's tokens at a target's price: cached input at its own price (the input price when
 * none), images at `per_image`. A request without a price has no cost (null in its record, never 0).
 */
export function costOfTokens(
  prompt: number,
  completion: number,
  cached: number,
  images: number | undefined,
  price: Price,
  written = 0,
  written1h = 0,
): number {
  const cachedPrice = price.cached_input_per_mtok ?? price.input_per_mtok;
  const imageCost = price.per_image !== undefined && images ? images * price.per_image : 0;
  const plain = prompt - cached - written;
  const writes = (written - written1h) * writePrice(price) + written1h * writePrice1h(price);
  return (plain * price.input_per_mtok + cached * cachedPrice + writes + completion * price.output_per_mtok) / 1e6 + imageCost;
}

const writePrice = (p: Price) => p.cache_write_per_mtok ?? p.input_per_mtok;
const writePrice1h = (p: Price) => p.cache_write_1h_per_mtok ?? writePrice(p);

/**
 * USD the prompt cache saved against paying the input price for the same tokens: reads' discount minus
 * writes' surcharge (negative when the writes were never read back).
 */
export function cacheSavedUsd(cached: number, written: number, written1h: number, price: Price): number {
  const input = price.input_per_mtok;
  const read = cached * (input - (price.cached_input_per_mtok ?? input));
  const write = (written - written1h) * (writePrice(price) - input) + written1h * (writePrice1h(price) - input);
  return (read - write) / 1e6;
}
