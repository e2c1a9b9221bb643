import type { Logger } from "@ai-router/logger";
import { request } from "undici";
import { attemptStatus, type RequestRecord } from "../record/request-record.js";
import type { RequestTrace } from "./trace-context.js";

type Attr = { key: string; value: { stringValue: string } | { intValue: string } | { doubleValue: number } | { boolValue: boolean } };

const str = (key: string, v: string | null | undefined): Attr[] => (v == null ? [] : [{ key, value: { stringValue: v } }]);
const int = (key: string, v: number | null | undefined): Attr[] => (v == null ? [] : [{ key, value: { intValue: String(Math.round(v)) } }]);
const dbl = (key: string, v: number | null | undefined): Attr[] => (v == null ? [] : [{ key, value: { doubleValue: v } }]);
const nanos = (ms: number) => `${BigInt(Math.round(ms * 1000)) * 1000n}`;

/** gen_ai.operation.name of an endpoint. */
const operation = (endpoint: string) =>
  endpoint.startsWith("embeddings") ? "embeddings" : endpoint.startsWith("images") ? "image_generation" : "chat";

export interface OtlpExporterOptions {
  /** OTEL_EXPORTER_OTLP_ENDPOINT (spans go to `<endpoint>/v1/traces`) or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT (used as is). */
  url: string;
  serviceName: string;
  logger: Logger;
  headers?: Record<string, string>;
  /** Spans per export (default 512). */
  batch?: number;
  flushMs?: number;
  /** Spans kept while the collector is unreachable; older ones are dropped past it. */
  maxQueue?: number;
}

/**
 * Exports one span per request and one per upstream attempt over OTLP/HTTP (JSON encoding), with
 * the OpenTelemetry gen_ai semantic conventions. Built from the usage record when a request ends, in
 * batches off the request path; exists only when an OTLP endpoint is configured.
 */
export class OtlpExporter {
  private queue: unknown[] = [];
  private timer: NodeJS.Timeout | undefined;
  private sending = false;
  dropped = 0;

  constructor(
    private readonly opts: OtlpExporterOptions,
    /** Provider name -> its type (`gen_ai.system`). */
    private readonly systemOf: (provider: string) => string | undefined,
  ) {}

  /** The spans of a finished request. */
  add(trace: RequestTrace, r: RequestRecord): void {
    const startMs = Date.parse(r.time);
    const error = r.status >= 400 || r.errorCode !== null;
    const system = r.provider ? (this.systemOf(r.provider) ?? r.provider) : undefined;
    this.push({
      traceId: trace.traceId,
      spanId: trace.spanId,
      ...(trace.parentSpanId ? { parentSpanId: trace.parentSpanId } : {}),
      name: `${operation(r.endpoint)} ${r.model ?? "unknown"}`,
      kind: 2,
      startTimeUnixNano: nanos(startMs),
      endTimeUnixNano: nanos(startMs + r.latencyMs),
      attributes: [
        ...str("gen_ai.operation.name", operation(r.endpoint)),
        ...str("gen_ai.system", system),
        ...str("gen_ai.request.model", r.model),
        ...str("gen_ai.response.model", r.upstreamModel),
        ...int("gen_ai.usage.input_tokens", r.promptTokens),
        ...int("gen_ai.usage.output_tokens", r.completionTokens),
        ...str("http.request.method", "POST"),
        ...int("http.response.status_code", r.status),
        ...str("ai_router.request_id", r.recordId),
        ...str("ai_router.ingress", r.ingress),
        ...str("ai_router.endpoint", r.endpoint),
        ...str("ai_router.provider", r.provider),
        ...str("ai_router.key_name", r.key),
        ...dbl("ai_router.cost_usd", r.costUsd),
        ...dbl("ai_router.ttft_ms", r.ttfbMs === undefined ? null : Math.round(r.ttfbMs * 100) / 100),
        ...str("error.type", r.errorCode),
        { key: "gen_ai.request.stream", value: { boolValue: r.stream } },
        { key: "ai_router.usage_estimated", value: { boolValue: r.usageEstimated === true } },
      ],
      status: { code: error ? 2 : 1 },
    });
    r.attempts.forEach((a, i) => {
      const span = trace.attempts[i];
      if (!span) return;
      this.push({
        traceId: trace.traceId,
        spanId: span.spanId,
        parentSpanId: trace.spanId,
        name: `${operation(r.endpoint)} ${a.upstreamModel}`,
        kind: 3,
        startTimeUnixNano: nanos(span.startMs),
        endTimeUnixNano: nanos(span.startMs + a.durationMs),
        attributes: [
          ...str("gen_ai.operation.name", operation(r.endpoint)),
          ...str("gen_ai.system", this.systemOf(a.provider) ?? a.provider),
          ...str("gen_ai.request.model", a.upstreamModel),
          ...str("ai_router.provider", a.provider),
          ...str("ai_router.attempt.outcome", a.outcome),
          ...int("http.response.status_code", attemptStatus(a)),
          ...str("error.type", a.errorCode),
        ],
        status: { code: a.outcome === "served" ? 1 : 2 },
      });
    });
  }

  private push(span: unknown): void {
    if (this.queue.length >= (this.opts.maxQueue ?? 10_000)) {
      this.queue.shift();
      this.dropped++;
    }
    this.queue.push(span);
    if (this.queue.length >= (this.opts.batch ?? 512)) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), this.opts.flushMs ?? 1_000).unref();
  }

  /** Sends what is queued (one batch at a time). */
  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.sending || this.queue.length === 0) return;
    this.sending = true;
    const spans = this.queue.splice(0, this.opts.batch ?? 512);
    const body = JSON.stringify({
      resourceSpans: [
        {
          resource: { attributes: str("service.name", this.opts.serviceName) },
          scopeSpans: [{ scope: { name: "ai-router" }, spans }],
        },
      ],
    });
    try {
      const res = await request(this.opts.url, {
        method: "POST",
        headers: { "content-type": "application/json", ...this.opts.headers },
        body,
        headersTimeout: 5_000,
        bodyTimeout: 5_000,
      });
      await res.body.dump();
      if (res.statusCode >= 300) this.opts.logger.warn({ status: res.statusCode }, "OTLP export refused");
    } catch (err) {
      this.opts.logger.warn({ err: (err as Error).message }, "OTLP export failed");
    } finally {
      this.sending = false;
    }
    if (this.queue.length > 0) this.timer ??= setTimeout(() => void this.flush(), this.opts.flushMs ?? 1_000).unref();
  }
}

/** The traces URL from the standard OpenTelemetry variables; undefined = tracing off. */
export function otlpTracesUrl(env: NodeJS.ProcessEnv): string | undefined {
  const t = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  if (t) return t;
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT;
  return base ? `${base.replace(/\/+$/, "")}/v1/traces` : undefined;
}

/** `OTEL_EXPORTER_OTLP_HEADERS` (`k=v,k2=v2`, values URL-encoded). */
export function otlpHeaders(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (env.OTEL_EXPORTER_OTLP_HEADERS ?? "").split(",")) {
    const i = part.indexOf("=");
    if (i > 0) out[part.slice(0, i).trim()] = decodeURIComponent(part.slice(i + 1).trim());
  }
  return out;
}
