import { createLineWriter } from "@ai-router/logger";
import { amount, IsoClock, num, num2, Quoted, str } from "./json-text.js";
import type { RequestRecord } from "./request-record.js";

/** Where one line per request goes. */
export interface AccessLog {
  write(r: RequestRecord): void;
  flush(): void;
}

/** Tokens for the access log: null when the request has none, reported or estimated. */
const tokens = (r: RequestRecord, n: number) => (r.usage === undefined && r.usageEstimated !== true ? "null" : num(n));

/**
 * The access log: one pino-compatible JSON line per request, written by hand into a large async
 * batch writer. A generic logger cost ~10 us a request here (object walk, redaction, small writes);
 * this costs about one. Every field is chosen below: no header or key can reach it, so it needs no redaction.
 */
export function createAccessLog(fd = 1): AccessLog {
  const dest = createLineWriter(fd);
  const q = new Quoted();
  const clock = new IsoClock();
  return {
    write(r) {
      dest.write(
        `{"level":30,"time":"${clock.now()}","service":"proxy","msg":"request","reqId":${str(r.requestId)},"endpoint":"${r.endpoint}"${r.ingress ? `,"ingress":"${r.ingress}"` : ""},"model":${q.of(r.model ?? "")},"provider":${q.of(r.provider)},"upstreamModel":${q.of(r.upstreamModel)},"status":${r.status},"stream":${r.stream},"attempts":${r.attempts.length},"ms":${num2(Math.round(r.latencyMs * 10) / 10)},${r.queuedMs ? `"queuedMs":${num(Math.round(r.queuedMs))},` : ""}"promptTokens":${tokens(r, r.promptTokens)},"completionTokens":${tokens(r, r.completionTokens)},${r.usageEstimated ? `"usageEstimated":true,` : ""}"costUsd":${amount(r.costUsd)},"keyName":${q.of(r.key)}${r.error ? `,"err":${str(r.error)}` : ""}}\n`,
      );
    },
    flush() {
      dest.flushSync();
    },
  };
}
