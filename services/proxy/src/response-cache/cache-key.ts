import { createHash } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";

/**
 * Top-level fields that never change the answer: how it is delivered (`stream`, `stream_options`),
 * who asked (`user`, `safety_identifier`, `metadata`) and provider cache hints (`prompt_cache_key`,
 * `prompt_cache_retention`). Everything else (messages, tools, every sampling parameter, `store`,
 * `previous_response_id`...) is part of the key.
 */
const IGNORED = new Set([
  "stream",
  "stream_options",
  "user",
  "safety_identifier",
  "metadata",
  "prompt_cache_key",
  "prompt_cache_retention",
]);

/** Top-level values equal to the API's own default, per front-door format: sending them or not is the same request. */
const DEFAULTS: Record<string, Record<string, unknown>> = {
  "openai-chat": {
    n: 1,
    temperature: 1,
    top_p: 1,
    presence_penalty: 0,
    frequency_penalty: 0,
    logprobs: false,
    parallel_tool_calls: true,
    store: false,
  },
  "openai-responses": { temperature: 1, top_p: 1, parallel_tool_calls: true, store: true, truncation: "disabled", background: false },
  "anthropic-messages": {},
  gemini: {},
};

/**
 * The request's body in one canonical text: object keys sorted at every depth, the ignored fields and
 * top-level nulls and defaults left out. Two requests that differ only in key order or in spelling out a
 * default give the same text; any other difference gives another.
 */
export function canonicalBody(format: string, body: Record<string, unknown>): string {
  const defaults = DEFAULTS[format] ?? {};
  let out = "{";
  let first = true;
  for (const k of Object.keys(body).sort()) {
    const v = body[k];
    if (v === undefined || v === null || IGNORED.has(k) || (k in defaults && defaults[k] === v)) continue;
    out += `${first ? "" : ","}${JSON.stringify(k)}:${canonical(v)}`;
    first = false;
  }
  return `${out}}`;
}

function canonical(v: unknown): string {
  if (v === null || typeof v !== "object") return JSON.stringify(v) ?? "null";
  if (Array.isArray(v)) {
    let out = "[";
    for (let i = 0; i < v.length; i++) out += (i === 0 ? "" : ",") + canonical(v[i]);
    return `${out}]`;
  }
  const o = v as Record<string, unknown>;
  let out = "{";
  let first = true;
  for (const k of Object.keys(o).sort()) {
    if (o[k] === undefined) continue;
    out += `${first ? "" : ","}${JSON.stringify(k)}:${canonical(o[k])}`;
    first = false;
  }
  return `${out}}`;
}

/** Request headers that change the answer of a format (Anthropic's beta features). */
const KEYED_HEADERS: Record<string, readonly string[]> = { "anthropic-messages": ["anthropic-beta"] };

export interface CacheKeyInput {
  /** The front-door format (`openai-chat`, `anthropic-messages`, `openai-responses`, `gemini`). */
  format: string;
  /** The model the client named. */
  model: string;
  /** The client key's sha256, or "" when the cache is shared across keys (or there are no keys). */
  owner: string;
  body: Record<string, unknown>;
  headers: IncomingHttpHeaders;
}

/** The entry's key: a sha256 over the format, model, owner, keyed headers and canonical body (hex). */
export function cacheKey(k: CacheKeyInput): string {
  const h = createHash("sha256");
  h.update(`${k.format}\0${k.model}\0${k.owner}\0`);
  for (const name of KEYED_HEADERS[k.format] ?? []) {
    const v = k.headers[name];
    if (v !== undefined) h.update(`${name}:${Array.isArray(v) ? v.join(",") : v}\0`);
  }
  h.update(canonicalBody(k.format, k.body));
  return h.digest("hex");
}

/** What the client's `cache-control` allows: `no-cache` skips the lookup (the answer refreshes the entry), `no-store` skips both. */
export function clientCacheControl(headers: IncomingHttpHeaders): { read: boolean; write: boolean } {
  const cc = headers["cache-control"];
  if (cc === undefined) return { read: true, write: true };
  const v = cc.toLowerCase();
  const noStore = v.includes("no-store");
  return { read: !noStore && !v.includes("no-cache"), write: !noStore };
}
