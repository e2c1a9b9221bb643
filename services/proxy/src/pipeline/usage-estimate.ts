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
const KEY_MAX = 17;
/** Bytes of relayed chunks kept uncounted at most (see TextUnitCounter.held). */
const PENDING_MAX = 16 * 1024;
const keyHash = (k: string) => {
  let h = 0;
  for (let i = 0; i < k.length; i++) h = (Math.imul(h, 31) + k.charCodeAt(i)) | 0;
  return h;
};
/** A key is one of TEXT_KEYS when its hash and length are (keys are short ASCII; this is an estimate). */
const TEXT_KEY_HASHES = new Map(TEXT_KEYS.map((k) => [keyHash(k), k.length]));

/**
 * Counts the text of string values of TEXT_KEYS in the bytes relayed to a client. Every chunk of every
 * stream goes through `push`, and most streams end with the upstream's own usage and never ask for the
 * count: so their bytes are only kept (up to PENDING_MAX) and counted when asked, in one pass without
 * native calls. The pass is a JSON tokenizer reduced to what it needs: inside or outside a string,
 * escapes, and whether the string that just closed was a text key followed by `:`. Its state carries
 * over between chunks, so keys and values split across chunks count.
 */
export class TextUnitCounter {
  /** Bytes (or characters) relayed so far. */
  relayed = 0;
  /** Units counted so far, not including `held`. */
  private counted = 0;
  /**
   * Bytes relayed and not counted yet: counting waits until a total is asked for (most streams end with
   * the upstream's own usage and never ask) or until PENDING_MAX bytes wait. A first chunk is only
   * referenced (a stream that arrives in one read, the common case under load, costs no copy and no
   * allocation); from the second on, the bytes are copied into one buffer: holding the chunks
   * themselves until the stream ends made every chunk outlive a scavenge, and the old generation (and
   * the process's RSS) grew with them.
   */
  private held: Buffer | undefined;
  /** The one chunk held without a copy (`heldLen` is its length). */
  private borrowed: Buffer | undefined;
  private heldLen = 0;
  private inString = false;
  private escaped = false;
  /** Hex digits of a `\uXXXX` escape still to skip. */
  private skip = 0;
  /** The open string is a text value: its characters are counted. */
  private counting = false;
  /** The open string is a key candidate: its length and hash so far. */
  private keyLen = 0;
  private keyHash = 0;
  /** The last string closed was a text key; `colon`: its `:` followed. */
  private textKey = false;
  private colon = false;

  push(chunk: string | Buffer): void {
    if (chunk.length === 0) return;
    this.relayed += chunk.length;
    if (typeof chunk === "string" || chunk.length >= PENDING_MAX) {
      // Translated output (other formats) or a large chunk: counted now, after what is held.
      this.countHeld();
      this.scan(chunk, chunk.length, typeof chunk === "string");
      return;
    }
    if (this.heldLen + chunk.length > PENDING_MAX) this.countHeld();
    if (this.heldLen === 0) {
      this.borrowed = chunk;
      this.heldLen = chunk.length;
      return;
    }
    const borrowed = this.borrowed;
    if (borrowed !== undefined) {
      // A second chunk: the first is copied now, then this one after it.
      this.borrowed = undefined;
      this.heldLen = 0;
      this.append(borrowed);
    }
    this.append(chunk);
  }

  /** Copies `chunk` after the held bytes, growing the buffer when needed (small ones come from Node's shared pool). */
  private append(chunk: Buffer): void {
    const n = this.heldLen + chunk.length;
    if (this.held === undefined || n > this.held.length) {
      const grown = Buffer.allocUnsafe(Math.min(PENDING_MAX, Math.max(2048, 2 * (this.held?.length ?? 0), n)));
      if (this.held !== undefined && this.heldLen > 0) this.held.copy(grown, 0, 0, this.heldLen);
      this.held = grown;
    }
    chunk.copy(this.held, this.heldLen);
    this.heldLen = n;
  }

  /** Text units seen so far. */
  get units(): number {
    this.countHeld();
    return this.counted;
  }

  get tokens(): number {
    return Math.ceil(this.units / 4);
  }

  private countHeld(): void {
    if (this.heldLen === 0) return;
    const b = this.borrowed ?? this.held;
    this.borrowed = undefined;
    if (b !== undefined) this.scan(b, this.heldLen, false);
    this.heldLen = 0;
  }

  /**
   * One pass over a chunk: a Buffer's bytes weigh 1 each (a 3-byte UTF-8 character weighs 3), a string's
   * characters 1 when ASCII, else 3. The state is kept in locals for the loop.
   */
  private scan(chunk: string | Buffer, n: number, str: boolean): void {
    let units = this.counted;
    let inString = this.inString;
    let escaped = this.escaped;
    let skip = this.skip;
    let counting = this.counting;
    let keyLen = this.keyLen;
    let keyHash = this.keyHash;
    let textKey = this.textKey;
    let colon = this.colon;
    for (let i = 0; i < n; i++) {
      const c = str ? (chunk as string).charCodeAt(i) : (chunk as Buffer)[i]!;
      if (!inString) {
        if (c === 0x22) {
          inString = true;
          counting = textKey && colon;
          textKey = colon = false;
          keyLen = keyHash = 0;
        } else if (c === 0x3a) colon = textKey;
        else if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) textKey = colon = false;
      } else if (skip > 0) skip--;
      else if (escaped) {
        escaped = false;
        // \uXXXX is one character, not ASCII; a key with an escape is no text key.
        if (c === 0x75) skip = 4;
        if (counting) units += c === 0x75 ? 3 : 1;
        else keyLen = KEY_MAX + 1;
      } else if (c === 0x5c) escaped = true;
      else if (c === 0x22) {
        inString = false;
        if (!counting) textKey = TEXT_KEY_HASHES.get(keyHash) === keyLen;
        counting = false;
      } else if (counting) units += str && c >= 0x80 ? 3 : 1;
      else if (keyLen <= KEY_MAX) {
        keyHash = (Math.imul(keyHash, 31) + c) | 0;
        keyLen++;
      }
    }
    this.counted = units;
    this.inString = inString;
    this.escaped = escaped;
    this.skip = skip;
    this.counting = counting;
    this.keyLen = keyLen;
    this.keyHash = keyHash;
    this.textKey = textKey;
    this.colon = colon;
  }
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
