import type { LiveModel } from "../routing/runtime-table.js";

/** Output tokens reserved for a request that sets no `max_tokens` (the table carries no model output caps). */
export const DEFAULT_OUTPUT_CAP = 4_096;

/** Images an image request asks for: its `n`, default 1 (the schemas have checked it). */
export const imagesAsked = (n: unknown): number => (typeof n === "number" && n > 0 ? n : 1);

/**
 * The most a request can cost, reserved from its key's budget before it is sent: the prompt estimate
 * plus `max_tokens` (or DEFAULT_OUTPUT_CAP), and for image requests their `images` at `per_image`, at
 * the dearest price among the model's targets (failover may land on any of them). 0 when no target has
 * a price (nothing is charged then either).
 */
export function maxCostUsd(model: LiveModel, promptTokens: number, maxTokens: number | undefined, images = 0): number {
  let input = 0;
  let output = 0;
  let perImage = 0;
  for (const t of model.targets) {
    if (!t.price) continue;
    input = Math.max(input, t.price.input_per_mtok);
    output = Math.max(output, t.price.output_per_mtok);
    perImage = Math.max(perImage, t.price.per_image ?? 0);
  }
  if (input === 0 && output === 0 && perImage === 0) return 0;
  return (promptTokens * input + (maxTokens ?? DEFAULT_OUTPUT_CAP) * output) / 1e6 + images * perImage;
}
