import type { Price } from "@ai-router/contracts";
import type { LiveModel } from "../routing/runtime-table.js";

/** Output tokens reserved for a request that sets no `max_tokens` (the table carries no model output caps). */
export const DEFAULT_OUTPUT_CAP = 4_096;

/** Images an image request asks for: its `n`, default 1 (the schemas have checked it). */
export const imagesAsked = (n: unknown): number => (typeof n === "number" && n > 0 ? n : 1);

/**
 * Units a request is priced by besides tokens, as many as it may consume at most: images, audio
 * seconds, characters and searches (a field here and a row in UNIT_PRICES).
 */
export interface PricedUnits {
  /** Images an image endpoint may return (`n`). */
  images?: number;
  /** Seconds of audio an upload may hold (its size read as 16 kHz 16-bit mono PCM, the dearest common case). */
  audio_seconds?: number;
  /** Characters a speech request speaks. */
  characters?: number;
  /** Searches a rerank request makes (one). */
  searches?: number;
}

/** Each priced unit and its USD price per unit in a target's `Price` (undefined: not priced by it). */
export const UNIT_PRICES: readonly (readonly [keyof PricedUnits, (p: Price) => number | undefined])[] = [
  ["images", (p) => p.per_image],
  ["audio_seconds", (p) => (p.per_audio_minute === undefined ? undefined : p.per_audio_minute / 60)],
  ["characters", (p) => (p.per_mchar === undefined ? undefined : p.per_mchar / 1e6)],
  ["searches", (p) => p.per_search],
];

/**
 * The most a request can cost, reserved from its key's budget before it is sent: the prompt estimate
 * plus `max_tokens` (or DEFAULT_OUTPUT_CAP) at the token prices, plus every priced unit it may consume
 * (`units`, e.g. `n` images at `per_image`), each at the dearest price among the model's targets
 * (failover may land on any of them). 0 when nothing it uses is priced (nothing is charged then either).
 */
export function maxCostUsd(model: LiveModel, promptTokens: number, maxTokens: number | undefined, units?: PricedUnits): number {
  let input = 0;
  let output = 0;
  for (const t of model.targets) {
    if (!t.price) continue;
    input = Math.max(input, t.price.input_per_mtok);
    output = Math.max(output, t.price.output_per_mtok);
  }
  let unitsUsd = 0;
  if (units !== undefined) {
    for (const [unit, priceOf] of UNIT_PRICES) {
      const n = units[unit];
      if (!n) continue;
      let dearest = 0;
      for (const t of model.targets) if (t.price) dearest = Math.max(dearest, priceOf(t.price) ?? 0);
      unitsUsd += n * dearest;
    }
  }
  if (input === 0 && output === 0 && unitsUsd === 0) return 0;
  return (promptTokens * input + (maxTokens ?? DEFAULT_OUTPUT_CAP) * output) / 1e6 + unitsUsd;
}
