import type { ServerResponse } from "node:http";
import { performance } from "node:perf_hooks";
import type { RequestHints } from "@ai-router/balancing";
import type { OpenAIUsage } from "@ai-router/contracts";
import type { RouterError } from "@ai-router/errors";
import { sendError } from "../http/respond.js";
import type { LiveModel, LiveTarget } from "../routing/runtime-table.js";
import { type AttemptOutcome, type FailoverResult, withFailover } from "../upstream/failover.js";
import { type RequestContext, upstreamToRouterError } from "./context.js";

/** Every endpoint's way through the failover loop (retry budget, cancellation, decision header). */
export function route(
  ctx: RequestContext,
  model: LiveModel,
  hints: RequestHints,
  attempt: (target: LiveTarget, attemptNo: number) => Promise<AttemptOutcome>,
): Promise<FailoverResult> {
  return withFailover(model, hints, ctx.table.settings.maxAttempts, attempt, () => ctx.signal.aborted, ctx);
}

/** What a usage record says about the request besides the failover result. */
export interface RoutedRecord {
  model: string;
  endpoint: string;
  stream: boolean;
  usage: OpenAIUsage | undefined;
}

/** The status a routed request ended with: 499 when the client left, 200 once an answer started. */
export function finalStatus(ctx: RequestContext, r: FailoverResult): number {
  if (ctx.signal.aborted) return 499;
  const o = r.outcome;
  return o.kind === "served" || o.kind === "broken" ? 200 : upstreamToRouterError(o.error).status;
}

/** Records a routed request's usage and outcome (one access-log line, the counters). */
export function recordRouted(ctx: RequestContext, r: FailoverResult, rec: RoutedRecord): void {
  const { outcome, target, attempts } = r;
  ctx.usage.record({
    requestId: ctx.id,
    model: rec.model,
    provider: target?.provider ?? null,
    upstreamModel: target?.upstreamModel ?? null,
    endpoint: rec.endpoint,
    status: finalStatus(ctx, r),
    stream: rec.stream,
    attempts,
    latencyMs: performance.now() - ctx.start,
    usage: rec.usage,
    key: ctx.key?.name ?? null,
    price: target?.price,
    ...(outcome.kind !== "served" ? { error: outcome.error.message } : {}),
  });
}

type ErrorSender = (res: ServerResponse, err: RouterError, headers: Record<string, string>) => void;

/**
 * Ends a routed request: a failure that reached no byte of the answer is sent in the client's error
 * envelope (saying who failed, after how many attempts), then the usage record is written.
 */
export function finishRouted(ctx: RequestContext, r: FailoverResult, rec: RoutedRecord, send: ErrorSender = sendError): void {
  const { outcome, target, attempts } = r;
  if (outcome.kind !== "served" && outcome.kind !== "broken" && !ctx.res.headersSent) {
    send(ctx.res, upstreamToRouterError(outcome.error), {
      "x-request-id": ctx.id,
      ...(target
        ? { "x-router-provider": target.provider, "x-router-model": target.upstreamModel, "x-router-attempts": String(attempts) }
        : {}),
    });
  }
  recordRouted(ctx, r, rec);
}
