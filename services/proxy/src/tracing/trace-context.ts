import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";

/** W3C trace context: `00-<32 hex trace id>-<16 hex parent id>-<2 hex flags>`. */
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
const ZERO_TRACE = "0".repeat(32);
const ZERO_SPAN = "0".repeat(16);

/** An incoming `traceparent` when it is valid (else undefined: never forwarded). */
export function validTraceparent(h: string | string[] | undefined): string | undefined {
  if (typeof h !== "string") return undefined;
  const m = TRACEPARENT.exec(h.trim().toLowerCase());
  if (!m || m[1] === ZERO_TRACE || m[2] === ZERO_SPAN) return undefined;
  return m[0];
}

/** One upstream attempt's span: its id (sent upstream as the parent) and start. */
export interface AttemptSpan {
  spanId: string;
  /** Unix ms. */
  startMs: number;
}

/**
 * The spans of one request when traces are exported: the request's span (a child of the client's
 * `traceparent`, or a new trace) and one span per upstream attempt, whose id the upstream gets as its
 * parent in `traceparent`.
 */
export class RequestTrace {
  readonly traceId: string;
  readonly spanId = randomBytes(8).toString("hex");
  readonly parentSpanId: string | undefined;
  readonly flags: string;
  readonly attempts: AttemptSpan[] = [];

  constructor(incoming: string | undefined) {
    if (incoming !== undefined) {
      const [, trace, parent, flags] = incoming.split("-");
      this.traceId = trace!;
      this.parentSpanId = parent;
      this.flags = flags!;
    } else {
      this.traceId = randomBytes(16).toString("hex");
      this.parentSpanId = undefined;
      this.flags = "01";
    }
  }

  /** Starts an attempt span; returns the `traceparent` the upstream gets. */
  attempt(): string {
    const a = { spanId: randomBytes(8).toString("hex"), startMs: performance.timeOrigin + performance.now() };
    this.attempts.push(a);
    return `00-${this.traceId}-${a.spanId}-${this.flags}`;
  }
}
