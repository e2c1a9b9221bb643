import { cacheSavedUsd, costOfTokens } from "./cost.js";
import { IsoClock } from "./json-text.js";
import type { RequestRecord } from "./request-record.js";

/** What the server knows when a request ends, besides what the record already holds. */
export interface RequestEnd {
  replica: string;
  seq: number;
  /** Unix ms the request arrived. */
  arrivedAt: number;
  latencyMs: number;
  /** The answer's first byte went out (the pipeline's own time, when it has one, wins). */
  ttfbMs: number | undefined;
  status: number;
  requestBytes: number;
  responseBytes: number;
  /** ms waited for free upstream pool connections (all attempts). */
  queuedMs: number;
}

/**
 * Rough token estimates for an answer the upstream reported no usage for (the client hung up before
 * the last chunk, a provider that never sends usage): ~4 bytes a token of request body; for streamed
 * answers ~160 bytes of SSE framing per chunk of about one token, 4 bytes a token for JSON.
 */
export function estimateUsage(r: RequestRecord, requestBytes: number, responseBytes: number): { prompt: number; completion: number } {
  const prompt = Math.max(1, Math.ceil(requestBytes / 4));
  if (r.route.estimate !== "chat") return { prompt, completion: 0 };
  const completion = Math.max(1, Math.ceil(r.stream ? responseBytes / 160 : responseBytes / 4));
  return { prompt, completion };
}

const int = (n: unknown) => (typeof n === "number" && Number.isFinite(n) && n > 0 ? Math.round(n) : 0);
/** Arrival times: the records of one second share its formatted prefix. */
const arrivals = new IsoClock();

/**
 * Ends a request's record, once: the end's facts, then the tokens as charged (reported or estimated)
 * and their cost, which every sink reads from here (stats, limits, access log, usage records, metrics).
 */
export function finishRecord(r: RequestRecord, end: RequestEnd): void {
  r.replica = end.replica;
  r.seq = end.seq;
  r.time = arrivals.at(end.arrivedAt);
  r.status = end.status;
  r.latencyMs = end.latencyMs;
  if (r.ttfbMs === undefined) r.ttfbMs = end.ttfbMs;
  r.requestBytes = end.requestBytes;
  r.responseBytes = end.responseBytes;
  r.queuedMs = end.queuedMs;
  if (r.errorCode === null && end.status >= 400) r.errorCode = `http_${end.status}`;
  const u = r.usage;
  let prompt = 0;
  let completion = 0;
  let cached = 0;
  let written = 0;
  let written1h = 0;
  if (u !== undefined) {
    prompt = int(u.prompt_tokens);
    completion = int(u.completion_tokens);
    cached = Math.min(prompt, int(u.prompt_tokens_details?.cached_tokens));
    written = Math.min(prompt - cached, int(u.prompt_tokens_details?.cache_creation_tokens));
    written1h = Math.min(written, int(u.prompt_tokens_details?.cache_creation_1h_tokens));
    r.reasoningTokens = int(u.completion_tokens_details?.reasoning_tokens);
    // The pipeline's estimate counts the text it relayed; an answer cut before any text still cost output.
    if (r.usageEstimated && r.answered && completion === 0 && r.route.estimate === "chat") {
      completion = estimateUsage(r, end.requestBytes, end.responseBytes).completion;
    }
  } else if (r.answered && r.route.estimate !== "none") {
    const e = estimateUsage(r, end.requestBytes, end.responseBytes);
    prompt = e.prompt;
    completion = e.completion;
    r.usageEstimated = true;
  }
  r.promptTokens = prompt;
  r.completionTokens = completion;
  r.cachedTokens = cached;
  r.cacheWriteTokens = written;
  // Cached input and cache writes priced apart, images, audio, characters and searches per unit; null without a price, never 0.
  r.costUsd = r.price ? costOfTokens(prompt, completion, cached, u, r.price, written, written1h) : null;
  r.cacheSavedUsd = r.price && (cached > 0 || written > 0) ? cacheSavedUsd(cached, written, written1h, r.price, u) : r.price ? 0 : null;
  // A response cache hit paid nothing; what it saved is what the cached answer cost.
  if (r.cacheResult === "hit") {
    r.costUsd = 0;
    r.cacheSavedUsd = r.hitSavedUsd;
  }
  const genMs = end.latencyMs - (r.ttfbMs ?? 0);
  r.tokensPerS = completion > 0 ? Math.round((completion / Math.max(genMs, 1)) * 1000 * 100) / 100 : null;
}
