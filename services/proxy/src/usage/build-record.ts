import type { OpenAIUsage, UsageRecord } from "@ai-router/contracts";
import { IsoClock } from "../stats/json-text.js";
import { costOfTokens } from "../stats/usage-recorder.js";
import type { UsageDraft } from "./usage-draft.js";

/** What the server knows when a request ends, besides the draft. */
export interface RequestEnd {
  /** The server's own id of the request (the ledger's key). */
  id: string;
  /** The `x-request-id` the client sent, cleaned (`cleanClientRequestId`); null when none. */
  clientRequestId: string | null;
  replica: string;
  seq: number;
  /** Unix ms the request arrived. */
  arrivedAt: number;
  latencyMs: number;
  /** ms from arrival to the first byte of the answer; undefined when nothing was sent. */
  ttftMs: number | undefined;
  status: number;
  keyId: string | null;
  keyName: string | null;
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
export function estimateUsage(d: UsageDraft, requestBytes: number, responseBytes: number): { prompt: number; completion: number } {
  const prompt = Math.max(1, Math.ceil(requestBytes / 4));
  if (d.route.estimate !== "chat") return { prompt, completion: 0 };
  const completion = Math.max(1, Math.ceil(d.stream ? responseBytes / 160 : responseBytes / 4));
  return { prompt, completion };
}

const int = (n: number | undefined) => (n !== undefined && Number.isFinite(n) && n > 0 ? Math.round(n) : 0);
const ms = (n: number) => Math.round(n * 100) / 100;
/** Arrival times: the records of one second share its formatted prefix. */
const arrivals = new IsoClock();

/** The one usage record of a request: tokens (reported or estimated), cost, timings, the failover chain. */
export function buildUsageRecord(d: UsageDraft, end: RequestEnd): UsageRecord {
  const u: OpenAIUsage | undefined = d.usage;
  let prompt = 0;
  let completion = 0;
  let cached = 0;
  let reasoning = 0;
  let estimated = d.usageEstimated;
  if (u !== undefined) {
    prompt = int(u.prompt_tokens);
    completion = int(u.completion_tokens);
    cached = Math.min(prompt, int(u.prompt_tokens_details?.cached_tokens));
    reasoning = int(u.completion_tokens_details?.reasoning_tokens);
    // The pipeline's estimate counts the text it relayed; an answer cut before any text still cost output.
    if (estimated && d.answered && completion === 0 && d.route.estimate === "chat") {
      completion = estimateUsage(d, end.requestBytes, end.responseBytes).completion;
    }
  } else if (d.answered && d.route.estimate !== "none") {
    const e = estimateUsage(d, end.requestBytes, end.responseBytes);
    prompt = e.prompt;
    completion = e.completion;
    estimated = true;
  }
  const ttft = end.ttftMs === undefined ? null : ms(end.ttftMs);
  const genMs = end.latencyMs - (end.ttftMs ?? 0);
  const tokensPerS = completion > 0 ? Math.round((completion / Math.max(genMs, 1)) * 1000 * 100) / 100 : null;
  return {
    id: end.id,
    client_request_id: end.clientRequestId,
    time: arrivals.at(end.arrivedAt),
    replica: end.replica,
    ingress: d.ingress,
    endpoint: d.endpoint,
    model: d.model ?? null,
    provider: d.provider,
    upstream_model: d.upstreamModel,
    key_id: end.keyId,
    key_name: end.keyName,
    stream: d.stream,
    status: end.status,
    error_code: d.errorCode ?? (end.status >= 400 ? `http_${end.status}` : null),
    attempts: d.attempts,
    prompt_tokens: prompt,
    completion_tokens: completion,
    cached_tokens: cached,
    reasoning_tokens: reasoning,
    usage_estimated: estimated,
    // The stats' own cost formula (cached input, per-image prices); null without a price, never 0.
    cost_usd: d.price ? costOfTokens(prompt, completion, cached, u?.images, d.price) : null,
    latency_ms: ms(end.latencyMs),
    ttft_ms: ttft,
    tokens_per_s: tokensPerS,
    request_bytes: end.requestBytes,
    response_bytes: end.responseBytes,
    queued_ms: ms(end.queuedMs),
    seq: end.seq,
  };
}
