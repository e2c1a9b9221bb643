import type { UsageRecord } from "@ai-router/contracts";
import { attemptStatus, type RequestRecord } from "./request-record.js";
import { unitsOf } from "./units.js";

const ms = (n: number) => Math.round(n * 100) / 100;

/**
 * The published usage record of a request as an object: what `UsageRecordJson` writes, for readers
 * that want the contract's type rather than its text (tests, tools). Never on the request path.
 */
export function toUsageRecord(r: RequestRecord): UsageRecord {
  return {
    id: r.recordId,
    client_request_id: r.clientRequestId,
    time: r.time,
    replica: r.replica,
    ingress: r.ingress,
    endpoint: r.endpoint,
    model: r.model ?? null,
    provider: r.provider,
    upstream_model: r.upstreamModel,
    key_id: r.keyId,
    key_name: r.key,
    stream: r.stream,
    status: r.status,
    error_code: r.errorCode,
    attempts: r.attempts.map((a) => ({
      provider: a.provider,
      upstream_model: a.upstreamModel,
      outcome: a.outcome,
      status: attemptStatus(a),
      error_code: a.errorCode,
      latency_ms: ms(a.durationMs),
    })),
    prompt_tokens: r.promptTokens,
    completion_tokens: r.completionTokens,
    cached_tokens: r.cachedTokens,
    reasoning_tokens: r.reasoningTokens,
    cache_creation_tokens: r.cacheWriteTokens,
    cache_saved_usd: r.cacheSavedUsd,
    cache_hit: r.cacheResult === "hit",
    usage_estimated: r.usageEstimated === true,
    cost_usd: r.costUsd,
    latency_ms: ms(r.latencyMs),
    ttft_ms: r.ttfbMs === undefined ? null : ms(r.ttfbMs),
    tokens_per_s: r.tokensPerS,
    request_bytes: r.requestBytes,
    response_bytes: r.responseBytes,
    queued_ms: ms(r.queuedMs),
    units: unitsOf(r.usage),
    seq: r.seq,
    ...(r.batchId === null ? {} : { batch_id: r.batchId }),
  };
}
