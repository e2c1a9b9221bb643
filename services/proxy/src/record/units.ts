import type { OpenAIUsage, UsageRecord } from "@ai-router/contracts";

const UNIT_KEYS = [
  "images",
  "audio_seconds",
  "characters",
  "searches",
  "input_audio_tokens",
  "cached_input_audio_tokens",
  "output_audio_tokens",
] as const;

/** The priced units of a usage besides tokens (the usage record's `units`); undefined when it has none. */
export function unitsOf(u: OpenAIUsage | undefined): UsageRecord["units"] {
  if (u === undefined) return undefined;
  let out: Record<string, number> | undefined;
  for (const k of UNIT_KEYS) {
    const v = u[k];
    if (typeof v === "number" && Number.isFinite(v) && v >= 0) (out ??= {})[k] = v;
  }
  return out;
}

/** `"units":{...},` as record-json.ts writes it (same keys and order as `unitsOf`), or "" for none. */
export function unitsJson(u: OpenAIUsage | undefined): string {
  if (
    u === undefined ||
    (u.images === undefined &&
      u.audio_seconds === undefined &&
      u.characters === undefined &&
      u.searches === undefined &&
      u.input_audio_tokens === undefined &&
      u.output_audio_tokens === undefined)
  )
    return "";
  const units = unitsOf(u);
  return units === undefined ? "" : `"units":${JSON.stringify(units)},`;
}
