import { amount, num, num2, Quoted, str } from "./json-text.js";
import { type AttemptRecord, attemptStatus, type RequestRecord } from "./request-record.js";
import { unitsJson } from "./units.js";

const ms = (n: number) => Math.round(n * 100) / 100;

/**
 * A request's record as the published usage record (`@ai-router/contracts` `UsageRecord`), written by
 * hand: the same text as `JSON.stringify(toUsageRecord(record))` (same keys, same order; the test holds
 * it to that), at a fraction of the cost. Every request writes one (the `usage_log` file, the ledger's
 * NATS batches). Names that repeat (replica, models, providers, key names) are escaped once.
 */
export class UsageRecordJson {
  private readonly q = new Quoted();

  of(r: RequestRecord): string {
    const q = this.q;
    let attempts = "";
    for (let i = 0; i < r.attempts.length; i++) attempts += (i === 0 ? "" : ",") + this.attempt(r.attempts[i] as AttemptRecord);
    return `{"id":${str(r.recordId)},"client_request_id":${str(r.clientRequestId)},"time":"${r.time}","replica":${q.of(r.replica)},"ingress":${q.of(r.ingress)},"endpoint":${q.of(r.endpoint)},"model":${q.of(r.model ?? null)},"provider":${q.of(r.provider)},"upstream_model":${q.of(r.upstreamModel)},"key_id":${q.of(r.keyId)},"key_name":${q.of(r.key)},"stream":${r.stream},"status":${num(r.status)},"error_code":${q.of(r.errorCode)},"attempts":[${attempts}],"prompt_tokens":${num(r.promptTokens)},"completion_tokens":${num(r.completionTokens)},"cached_tokens":${num(r.cachedTokens)},"reasoning_tokens":${num(r.reasoningTokens)},"cache_creation_tokens":${num(r.cacheWriteTokens)},"cache_saved_usd":${num(r.cacheSavedUsd)},"cache_hit":${r.cacheResult === "hit"},"usage_estimated":${r.usageEstimated === true},"cost_usd":${amount(r.costUsd)},"latency_ms":${num2(ms(r.latencyMs))},"ttft_ms":${r.ttfbMs === undefined ? "null" : num2(ms(r.ttfbMs))},"tokens_per_s":${num2(r.tokensPerS)},"request_bytes":${num(r.requestBytes)},"response_bytes":${num(r.responseBytes)},"queued_ms":${num2(ms(r.queuedMs))},${unitsJson(r.usage)}"seq":${num(r.seq)}${r.batchId === null ? "" : `,"batch_id":${str(r.batchId)}`}}`;
  }

  private attempt(a: AttemptRecord): string {
    const q = this.q;
    return `{"provider":${q.of(a.provider)},"upstream_model":${q.of(a.upstreamModel)},"outcome":"${a.outcome}","status":${num(attemptStatus(a))},"error_code":${q.of(a.errorCode)},"latency_ms":${num2(ms(a.durationMs))}}`;
  }
}
