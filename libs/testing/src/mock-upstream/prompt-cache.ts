import { createHash } from "node:crypto";
import type { IncomingMessage } from "node:http";

/** Options of the prompt-cache model; the defaults are OpenAI's published rules. */
export interface PromptCacheOptions {
  /** Prompts shorter than this are never cached (OpenAI: 1024 tokens). */
  minTokens?: number;
  /** Cache hits count in blocks of this many tokens (OpenAI: 128). */
  blockTokens?: number;
}

const textOf = (c: unknown): string =>
  typeof c === "string"
    ? c
    : Array.isArray(c)
      ? c.map((p) => (p && typeof p === "object" && "text" in p ? String(p.text) : "")).join(" ")
      : "";

/**
 * A provider's prompt cache as the mock models it: per API key (as OpenAI and Anthropic keep it), the
 * message prefixes it has seen; a request's cached tokens are those of the longest prefix seen before
 * under the same key, rounded down to whole blocks, zero below the minimum. Tokens are counted as the
 * mock counts prompts (characters / 4), so cached tokens never exceed the reported prompt tokens.
 */
export class PromptCache {
  private readonly seen = new Map<string, Set<string>>();
  private readonly minTokens: number;
  private readonly blockTokens: number;

  constructor(opts: PromptCacheOptions = {}) {
    this.minTokens = opts.minTokens ?? 1024;
    this.blockTokens = opts.blockTokens ?? 128;
  }

  /** The cache's key for a request: the API key it was sent with. */
  static keyOf(req: IncomingMessage): string {
    const auth = req.headers.authorization ?? req.headers["x-api-key"] ?? "";
    return Array.isArray(auth) ? (auth[0] ?? "") : auth;
  }

  /** Cached tokens of this request's `messages` (and `tools`) under `apiKey`; remembers its prefixes. */
  observe(apiKey: string, body: { messages?: { content?: unknown }[]; tools?: unknown }): number {
    let known = this.seen.get(apiKey);
    if (!known) {
      known = new Set();
      this.seen.set(apiKey, known);
    }
    const hash = createHash("sha256").update(JSON.stringify(body.tools ?? null));
    let chars = 0;
    let hit = 0;
    const prefixes: string[] = [];
    for (const m of body.messages ?? []) {
      hash.update(JSON.stringify(m));
      chars += textOf(m.content).length + 1;
      const key = hash.copy().digest("base64");
      prefixes.push(key);
      if (known.has(key)) hit = Math.floor(chars / 4);
    }
    for (const p of prefixes) known.add(p);
    if (hit < this.minTokens) return 0;
    return hit - (hit % this.blockTokens);
  }
}
