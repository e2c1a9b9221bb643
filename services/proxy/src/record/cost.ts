import type { OpenAIUsage, Price } from "@ai-router/contracts";

/** The priced units of a usage besides tokens (images, audio, characters, searches). */
export type UsageUnits = Pick<OpenAIUsage, "images" | "audio_seconds" | "characters" | "searches">;

/**
 * USD for a request's tokens at a target's price: cached input at its own price (the input price when
 * none), images at `per_image`, audio at `per_audio_minute`, characters at `per_mchar`, searches at
 * `per_search`. A request without a price has no cost (null in its record, never 0).
 */
export function costOfTokens(
  prompt: number,
  completion: number,
  cached: number,
  units: UsageUnits | undefined,
  price: Price,
  written = 0,
  written1h = 0,
): number {
  const cachedPrice = price.cached_input_per_mtok ?? price.input_per_mtok;
  const plain = prompt - cached - written;
  const writes = (written - written1h) * writePrice(price) + written1h * writePrice1h(price);
  const tokens = (plain * price.input_per_mtok + cached * cachedPrice + writes + completion * price.output_per_mtok) / 1e6;
  return units === undefined ? tokens : tokens + unitsCost(units, price);
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

/** USD for the units of a usage that its price prices (0 for the others). */
export function unitsCost(u: UsageUnits, price: Price): number {
  let usd = 0;
  if (u.images && price.per_image !== undefined) usd += u.images * price.per_image;
  if (u.audio_seconds && price.per_audio_minute !== undefined) usd += (u.audio_seconds / 60) * price.per_audio_minute;
  if (u.characters && price.per_mchar !== undefined) usd += (u.characters / 1e6) * price.per_mchar;
  if (u.searches && price.per_search !== undefined) usd += u.searches * price.per_search;
  return usd;
}
