import type { OpenAIUsage } from "@ai-router/contracts";

/**
 * Usage estimates for answers whose upstream said nothing about tokens: a stream the client hung up on
 * before the final usage chunk, a stream or body from an upstream that sends no usage, a stream broken
 * midway. Without them such requests would cost nothing against a key's tpm limit and budget. Estimates
 * are marked (`usageEstimated` on the request record and the access-log line).
 *
 * Text is weighed in "units" of about a quarter token: an ASCII character is 1 unit and any other
 * character 3 (one UTF-8 byte each, or 3 for a `\uXXXX` escape), so English runs ~4 characters a token
 * and CJK ~0.75 token a character, as common tokenizers do.
 */

/** JSON keys whose string values are generated text, in the chunks of every format we stream. */
const TEXT_KEYS = ["content", "text", "reasoning_content", "thinking", "arguments", "partial_json"];
const KEY_TAILS = TEXT_KEYS.map((k) => `"${k}`);
const VALUE_START = '":"';

/**
 * Counts the text of string values of TEXT_KEYS in the bytes relayed to a client (compact JSON, as
 * upstreams and our translators emit it). A value split between two chunks is followed into the next;
 * a key split between chunks is missed (an estimate). Costs one `indexOf` pass per chunk.
 */
export class TextUnitCounter {
  /** Text units seen so far. */
  units = 0;
  /** Bytes (or characters) relayed so far. */
  relayed = 0;
  private inValue = false;
  private escaped = false;

  push(chunk: string | Buffer): void {
    this.relayed += chunk.length;
    let i = 0;
    if (this.inValue) i = this.scanValue(chunk, 0);
    while (i < chunk.length) {
      const at = chunk.indexOf(VALUE_START, i);
      if (at < 0) return;
      i = at + VALUE_START.length;
      if (!isTextKey(chunk, at)) continue;
      this.inValue = true;
      this.escaped = false;
      i = this.scanValue(chunk, i);
    }
  }

  /** Counts a string value from `from` to its closing quote (or the chunk's end); returns where it stopped. */
  private scanValue(chunk: string | Buffer, from: number): number {
    const str = typeof chunk === "string";
    for (let i = from; i < chunk.length; i++) {
      const c = str ? (chunk as string).charCodeAt(i) : (chunk as Buffer)[i]!;
      if (this.escaped) {
        this.escaped = false;
        if (c === 0x75) {
          // \uXXXX: one character, not ASCII
          this.units += 3;
          i += 4;
        } else this.units += 1;
        continue;
      }
      if (c === 0x5c) this.escaped = true;
      else if (c === 0x22) {
        this.inValue = false;
        return i + 1;
      } else this.units += c < 0x80 || !str ? 1 : 3;
    }
    return chunk.length;
  }

  get tokens(): number {
    return Math.ceil(this.units / 4);
  }
}

function isTextKey(chunk: string | Buffer, quoteAt: number): boolean {
  for (const tail of KEY_TAILS) {
    const start = quoteAt - tail.length;
    if (start < 0) continue;
    if (typeof chunk === "string") {
      if (chunk.startsWith(tail, start)) return true;
      continue;
    }
    let same = true;
    for (let j = 0; j < tail.length && same; j++) same = chunk[start + j] === tail.charCodeAt(j);
    if (same) return true;
  }
  return false;
}

/** Text units of a request's prompt, from its JSON: message text, tool call arguments, tool definitions. */
export function promptTokensOf(raw: Buffer): number {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString("utf8"));
  } catch {
    return Math.ceil(raw.length / 4);
  }
  let units = 0;
  const walk = (v: unknown, key: string | undefined, depth: number): void => {
    if (depth > 64) return;
    if (typeof v === "string") {
      // Base64 payloads (images, files, audio) are not text: a flat cost stands in for them.
      if (key === "url" || key === "data" || key === "file_data") units += 4 * 800;
      else for (let i = 0; i < v.length; i++) units += v.charCodeAt(i) < 0x80 ? 1 : 3;
      return;
    }
    if (Array.isArray(v)) for (const x of v) walk(x, key, depth + 1);
    else if (v !== null && typeof v === "object") for (const [k, x] of Object.entries(v)) if (k !== "model") walk(x, k, depth + 1);
  };
  walk(parsed, undefined, 0);
  return Math.ceil(units / 4);
}

/**
 * The usage to record for an answer: the upstream's when it is complete, else an estimate that never
 * counts less than what the upstream already reported (a stream cut after `message_start` knows the
 * prompt but not the output).
 */
export function estimatedUsage(known: OpenAIUsage | undefined, promptTokens: () => number, completionTokens: number): OpenAIUsage {
  const prompt = known?.prompt_tokens || promptTokens();
  const completion = Math.max(known?.completion_tokens ?? 0, completionTokens);
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}
