import { performance } from "node:perf_hooks";
import type { OpenAIUsage } from "@ai-router/contracts";
import { type ChatStreamTranslator, ForwardingTranslator } from "@ai-router/providers";
import type { RequestContext } from "../handlers/context.js";
import { sendJson } from "../http/respond.js";
import type { LimitRefusal } from "../limits/key-limiter.js";
import type { LiveTarget } from "../routing/runtime-table.js";
import { type CacheEntry, decodeEntry, encodeEntry, entryCostUsd } from "./cache-entry.js";
import { cacheKey, clientCacheControl } from "./cache-key.js";
import type { ModelCache } from "./model-caches.js";
import { renderStream, streamComplete } from "./render-stream.js";
import { streamToJson } from "./stream-to-json.js";

/** What the response cache keys a request by: its front-door format and the client's body. */
export interface Cacheable {
  /** `openai-chat`, `anthropic-messages`, `openai-responses`, `gemini`. */
  format: string;
  /** The client's JSON body as it came. */
  body: Record<string, unknown>;
}

const SSE_HEADERS: Record<string, string> = {
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-cache",
  "x-accel-buffering": "no",
};

/**
 * One request's use of its model's response cache: the entry keys (a JSON answer, a stream), what the
 * client's `cache-control` allows, the lookup, and the answer kept for storing once it was served whole.
 */
export class CacheUse {
  readonly read: boolean;
  readonly write: boolean;
  private readonly jsonKey: string;
  private readonly sseKey: string;
  /** OpenAI chat: the stream carries a usage chunk (`stream_options.include_usage`). */
  private readonly usageChunk: boolean;
  private json: string | undefined;
  private tap: StreamTap | undefined;

  constructor(
    private readonly ctx: RequestContext,
    private readonly cache: ModelCache,
    private readonly c: Cacheable,
    modelName: string,
    private readonly stream: boolean,
  ) {
    const allowed = clientCacheControl(ctx.req.headers);
    this.read = allowed.read;
    this.write = allowed.write;
    const owner = cache.shared ? "" : (ctx.key?.sha256 ?? "");
    const key = cacheKey({ format: c.format, model: modelName, owner, body: c.body, headers: ctx.req.headers });
    this.jsonKey = `${key}:j`;
    // OpenAI chat streams carry a usage chunk only when asked: the two kinds of stream are two entries.
    this.usageChunk =
      c.format === "openai-chat" && (c.body.stream_options as { include_usage?: unknown } | undefined)?.include_usage === true;
    this.sseKey = `${key}:s${this.usageChunk ? "u" : ""}`;
  }

  /**
   * The answer to replay (client bytes of the request's kind), or undefined: a miss. Each kind prefers
   * an entry of its own kind, else converts the other: a JSON answer rendered as a stream, a stream
   * assembled into a JSON answer.
   */
  async lookup(): Promise<{ entry: CacheEntry; body: string } | undefined> {
    const base = this.jsonKey.slice(0, -2);
    const keys = this.stream ? [this.sseKey, this.jsonKey] : [this.jsonKey, `${base}:su`, `${base}:s`];
    const got = this.cache.backend.get(keys);
    const values = got instanceof Promise ? await got : got;
    for (const v of values) {
      const entry = v === undefined ? undefined : decodeEntry(v);
      if (entry === undefined) continue;
      if (this.stream === (entry.kind === "sse")) return { entry, body: entry.body };
      const body = this.stream
        ? renderStream(this.c.format, entry.body, { includeUsage: this.usageChunk })
        : streamToJson(this.c.format, entry.body, entry.usage);
      if (body !== undefined) return { entry, body };
    }
    return undefined;
  }

  /** A JSON answer about to be sent (client bytes). */
  keepJson(body: string | Buffer): void {
    if (body.length <= this.cache.maxEntryBytes) this.json = body.toString();
  }

  /** Wraps the client's stream translator so the bytes the client gets are kept (up to the entry bound). */
  tapStream(t: ChatStreamTranslator): ChatStreamTranslator {
    this.tap = new StreamTap(t, this.cache.maxEntryBytes);
    return this.tap;
  }

  /**
   * Stores the answer of a request that was served whole: a JSON body, or a stream that ended as its
   * format ends (never an error, a stream cut by either side, or one beyond the entry bound).
   */
  store(t: LiveTarget, usage: OpenAIUsage | undefined): void {
    if (this.ctx.signal.aborted) return;
    let kind: CacheEntry["kind"];
    let body: string;
    if (this.stream) {
      const tap = this.tap;
      if (tap === undefined || tap.over || tap.error !== undefined) return;
      body = tap.text();
      if (!streamComplete(this.c.format, body)) return;
      kind = "sse";
    } else {
      if (this.json === undefined) return;
      body = this.json;
      kind = "json";
    }
    const entry = encodeEntry({ kind, provider: t.provider, upstreamModel: t.upstreamModel, usage, price: t.price, at: Date.now(), body });
    if (entry.length > this.cache.maxEntryBytes) return;
    try {
      void Promise.resolve(this.cache.backend.set(kind === "sse" ? this.sseKey : this.jsonKey, entry, this.cache.ttlMs)).catch(() => {});
    } catch {
      // A cache that cannot store loses this entry only, never the answer.
    }
  }
}

/**
 * The response cache's step of the attempt pipeline, before routing: a hit is answered here (after
 * the key's cluster-wide rpm admits it, nothing reserved); a miss returns the use that stores the
 * answer (undefined under `no-store`).
 */
export async function cacheStep(
  ctx: RequestContext,
  p: { modelName: string; stream: boolean; endpoint: string },
  cache: ModelCache,
  c: Cacheable,
  refuse: (r: LimitRefusal) => void,
): Promise<CacheUse | "answered" | undefined> {
  const use = new CacheUse(ctx, cache, c, p.modelName, p.stream);
  const hit = use.read ? await use.lookup() : undefined;
  if (hit === undefined) {
    ctx.record.cacheResult = "miss";
    return use.write ? use : undefined;
  }
  const limiter = ctx.limiter;
  if (ctx.shared !== undefined && limiter !== undefined && ctx.key !== undefined) {
    const verdict = await ctx.shared.admit(limiter, ctx.key, 0, Date.now());
    if (verdict.refusal !== undefined) {
      refuse(verdict.refusal);
      return "answered";
    }
    ctx.reservation = verdict.reservation;
  }
  serveHit(ctx, p.endpoint, p.stream, hit);
  return "answered";
}

/**
 * Answers a request from its cached entry: the client's bytes with `x-router-cache: hit`, and a record
 * of cost 0 that says what the answer cost when it was made. No provider is called; the request
 * counted against the key's rpm when it was admitted and adds no tokens or spend.
 */
export function serveHit(ctx: RequestContext, endpoint: string, stream: boolean, hit: { entry: CacheEntry; body: string }): void {
  const { entry, body } = hit;
  const h: Record<string, string> = {
    "x-request-id": ctx.id,
    "x-router-cache": "hit",
    "x-router-provider": entry.provider,
    "x-router-model": entry.upstreamModel,
    "x-router-attempts": "0",
  };
  if (ctx.limiter !== undefined) ctx.limiter.rateHeaders(h, Date.now());
  if (stream) {
    ctx.res.writeHead(200, Object.assign(h, SSE_HEADERS));
    ctx.res.end(body);
  } else sendJson(ctx.res, 200, body, h);
  const rec = ctx.record;
  rec.endpoint = endpoint;
  rec.stream = stream;
  rec.outcome = "served";
  rec.provider = entry.provider;
  rec.upstreamModel = entry.upstreamModel;
  rec.cacheResult = "hit";
  rec.hitSavedUsd = entryCostUsd(entry);
  rec.ttfbMs = performance.now() - ctx.start;
}

/** A client stream translator whose output is also kept, up to `max` bytes (beyond: nothing is stored). */
class StreamTap extends ForwardingTranslator {
  private readonly parts: string[] = [];
  private bytes = 0;
  over = false;

  constructor(
    inner: ChatStreamTranslator,
    private readonly max: number,
  ) {
    super(inner);
  }

  push(chunk: Buffer): string | Buffer {
    const out = this.inner.push(chunk);
    this.keep(out);
    return out;
  }

  end(): string {
    const out = this.inner.end();
    this.keep(out);
    return out;
  }

  private keep(out: string | Buffer): void {
    if (this.over || out.length === 0) return;
    this.bytes += out.length;
    if (this.bytes > this.max) {
      this.over = true;
      this.parts.length = 0;
    } else this.parts.push(typeof out === "string" ? out : out.toString("utf8"));
  }

  text(): string {
    return this.parts.join("");
  }
}
