import type { UsageAttempt, UsageRecord } from "@ai-router/contracts";
import { amount, num, num2, Quoted, str } from "../stats/json-text.js";

/**
 * A usage record as JSON, written by hand: the same text as `JSON.stringify(record)` for every record
 * `buildUsageRecord` makes (same keys, same order; the test holds it to that), at a fraction of the
 * cost. Every request writes one (the `usage_log` file, the ledger's NATS batches). Names that repeat
 * (replica, models, providers, key names) are escaped once.
 */
export class UsageRecordJson {
  private readonly q = new Quoted();

  of(r: UsageRecord): string {
    const q = this.q;
    let attempts = "";
    for (let i = 0; i < r.attempts.length; i++) attempts += (i === 0 ? "" : ",") + this.attempt(r.attempts[i] as UsageAttempt);
    return `{"id":${str(r.id)},${r.client_request_id === undefined ? "" : `"client_request_id":${str(r.client_request_id)},`}"time":"${r.time}","replica":${q.of(r.replica)},"ingress":${q.of(r.ingress)},"endpoint":${q.of(r.endpoint)},"model":${q.of(r.model)},"provider":${q.of(r.provider)},"upstream_model":${q.of(r.upstream_model)},"key_id":${q.of(r.key_id)},"key_name":${q.of(r.key_name)},"stream":${r.stream},"status":${num(r.status)},"error_code":${q.of(r.error_code)},"attempts":[${attempts}],"prompt_tokens":${num(r.prompt_tokens)},"completion_tokens":${num(r.completion_tokens)},"cached_tokens":${num(r.cached_tokens)},"reasoning_tokens":${num(r.reasoning_tokens)},"usage_estimated":${r.usage_estimated},"cost_usd":${amount(r.cost_usd)},"latency_ms":${num2(r.latency_ms)},"ttft_ms":${num2(r.ttft_ms)},"tokens_per_s":${num2(r.tokens_per_s)},"request_bytes":${num(r.request_bytes)},"response_bytes":${num(r.response_bytes)},"queued_ms":${num2(r.queued_ms)}${r.seq === undefined ? "" : `,"seq":${num(r.seq)}`}}`;
  }

  private attempt(a: UsageAttempt): string {
    const q = this.q;
    return `{"provider":${q.of(a.provider)},"upstream_model":${q.of(a.upstream_model)},"outcome":"${a.outcome}","status":${num(a.status)},"error_code":${q.of(a.error_code)},"latency_ms":${num2(a.latency_ms)}}`;
  }
}
