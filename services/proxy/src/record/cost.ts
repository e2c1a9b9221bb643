import type { OpenAIUsage, Price } from "@ai-router/contracts";

/** The priced units of a usage besides tokens (images, audio, characters, searches). */
export type UsageUnits = Pick<
  OpenAIUsage,
  "images" | "audio_seconds" | "characters" | "searches" | "input_audio_tokens" | "cached_input_audio_tokens" | "output_audio_tokens"
>;

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
  return units === undefined ? tokens : tokens + unitsCost(units, price) + audioDelta(units, prompt, completion, cached, price);
}

/**
 * Audio tokens are counted among the prompt, cached and completion tokens (priced above at the text
 * prices): what their own prices add or take away. A price without audio fields keeps the text prices.
 */
function audioDelta(u: UsageUnits, prompt: number, completion: number, cached: number, price: Price): number {
  const inAudio = Math.min(u.input_audio_tokens ?? 0, prompt);
  const outAudio = Math.min(u.output_audio_tokens ?? 0, completion);
  if (inAudio === 0 && outAudio === 0) return 0;
  const cachedAudio = Math.min(u.cached_input_audio_tokens ?? 0, cached, inAudio);
  const input = price.input_per_mtok;
  const cachedText = price.cached_input_per_mtok ?? input;
  const audioIn = price.input_audio_per_mtok ?? input;
  const audioCached = price.cached_input_audio_per_mtok ?? (price.input_audio_per_mtok === undefined ? cachedText : audioIn);
  const audioOut = price.output_audio_per_mtok ?? price.output_per_mtok;
  return (
    ((inAudio - cachedAudio) * (audioIn - input) +
      cachedAudio * (audioCached - cachedText) +
      outAudio * (audioOut - price.output_per_mtok)) /
    1e6
  );
}

const writePrice = (p: Price) => p.cache_write_per_mtok ?? p.input_per_mtok;
const writePrice1h = (p: Price) => p.cache_write_1h_per_mtok ?? writePrice(p);

/**
 * USD the prompt cache saved against paying the input price for the same tokens: reads' discount minus
 * writes' surcharge (negative when the writes were never read back).
 */
export function cacheSavedUsd(cached: number, written: number, written1h: number, price: Price, units?: UsageUnits): number {
  const input = price.input_per_mtok;
  // Cached audio saves against the audio input price (realtime); the rest against the text price.
  const audio = Math.min(units?.cached_input_audio_tokens ?? 0, cached);
  const audioIn = price.input_audio_per_mtok ?? input;
  const audioCached =
    price.cached_input_audio_per_mtok ?? (price.input_audio_per_mtok === undefined ? (price.cached_input_per_mtok ?? input) : audioIn);
  const read = (cached - audio) * (input - (price.cached_input_per_mtok ?? input)) + audio * (audioIn - audioCached);
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
