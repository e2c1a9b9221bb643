import type { TargetContext } from "../adapter.js";

/** Shared request quirks of OpenAI-compatible presets. Each returns the fields it dropped or changed. */
type Body = Record<string, unknown>;

/** Removes fields a provider refuses (a 400/422 otherwise) and names them for `x-router-warnings`. */
export function dropFields(body: Body, fields: readonly string[]): string[] {
  const dropped: string[] = [];
  for (const f of fields) {
    if (body[f] !== undefined) {
      delete body[f];
      dropped.push(f);
    }
  }
  return dropped;
}

/** Keeps `temperature` within the provider's range; `minExclusive` for ranges like (0, 1]. */
export function clampTemperature(body: Body, max: number, minExclusive = false): string[] {
  const t = body.temperature;
  if (typeof t !== "number") return [];
  if (t > max) {
    body.temperature = max;
    return [`temperature (clamped to ${max})`];
  }
  if (minExclusive && t <= 0) {
    body.temperature = 0.01;
    return ["temperature (raised to 0.01)"];
  }
  return [];
}

/**
 * Assistant messages without `reasoning_content`: providers that return it (DeepSeek) refuse it in the
 * next request's history. The messages array and changed messages are copies (the client's stay intact).
 */
export function stripReasoningContent(body: Body): void {
  const messages = body.messages;
  if (!Array.isArray(messages) || !messages.some((m) => (m as Body | null)?.reasoning_content !== undefined)) return;
  body.messages = messages.map((m) => {
    if ((m as Body | null)?.reasoning_content === undefined) return m;
    const { reasoning_content: _r, ...rest } = m as Body;
    return rest;
  });
}

/** True when the client asked for reasoning (`reasoning_effort` other than "none"/"minimal"). */
export function wantsReasoning(body: Body): boolean {
  const e = body.reasoning_effort;
  return typeof e === "string" && e !== "none" && e !== "minimal";
}

export type AdjustChat = (body: Body, ctx: { stream: boolean; target: TargetContext }) => string[];
