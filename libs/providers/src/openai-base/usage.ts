import type { OpenAIUsage } from "@ai-router/contracts";
import { lastUsageKey, scanUsageObject, USAGE_KEY } from "./usage-scan.js";

/**
 * Finds the last `"usage": {...}` object in a JSON text without parsing the whole document
 * (responses can be large; usage sits at the end). Returns undefined when absent or null.
 */
export function extractUsage(buf: Buffer | string): OpenAIUsage | undefined {
  const b = typeof buf === "string" ? Buffer.from(buf) : buf;
  const at = lastUsageKey(b);
  if (at < 0) return undefined;
  let i = at + USAGE_KEY.length;
  while (i < b.length && (b[i] === 0x20 || b[i] === 0x0a || b[i] === 0x0d || b[i] === 0x09 || b[i] === 0x3a)) i++;
  if (b[i] !== 0x7b) return undefined; // not an object (null)
  // The usual shape without JSON.parse (the same result); anything else is parsed below.
  const scanned = scanUsageObject(b, i);
  if (scanned !== undefined) return fixCounts(scanned);
  let depth = 0;
  let inString = false;
  for (let j = i; j < b.length; j++) {
    const c = b[j];
    if (inString) {
      if (c === 0x5c) j++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b) depth++;
    else if (c === 0x7d && --depth === 0) {
      try {
        return normalizeUsage(JSON.parse(b.subarray(i, j + 1).toString("utf8")));
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/** Coerces an upstream usage object into OpenAI's shape (missing numbers become 0). */
export function normalizeUsage(u: unknown): OpenAIUsage | undefined {
  if (u === null || typeof u !== "object") return undefined;
  const o = u as Record<string, unknown>;
  // A copy with the counts fixed (an object of our own: the caller's may be shared).
  return fixCounts(Object.assign({}, o));
}

const count = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : 0);

/** Sets the three counts of an object of our own (missing or non-numbers become 0; total defaults to the sum). */
function fixCounts(o: Record<string, unknown>): OpenAIUsage {
  const out = o as unknown as OpenAIUsage;
  const prompt = count(o.prompt_tokens);
  const completion = count(o.completion_tokens);
  out.prompt_tokens = prompt;
  out.completion_tokens = completion;
  out.total_tokens = count(o.total_tokens) || prompt + completion;
  return out;
}
