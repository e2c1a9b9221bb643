import type { ServerResponse } from "node:http";
import { performance } from "node:perf_hooks";
import type { RequestHints } from "@ai-router/balancing";
import type { OpenAIUsage } from "@ai-router/contracts";
import { RouterError } from "@ai-router/errors";
import type { ParsedResponse, TargetContext, UpstreamRequest } from "@ai-router/providers";
import { sendError, sendJson } from "../http/respond.js";
import type { LiveModel, LiveTarget } from "../routing/runtime-table.js";
import { type AttemptOutcome, type FailoverResult, withFailover } from "../upstream/failover.js";
import { readAll, sendUpstream, transportError } from "../upstream/send-upstream.js";
import { type RequestContext, servedHeaders, upstreamToRouterError } from "./context.js";

/** What one attempt at `t` needs to build its upstream request; the provider's key rotates per attempt. */
export function targetContext(ctx: RequestContext, t: LiveTarget): TargetContext {
  const live = t.live;
  return {
    provider: live.config,
    apiKey: live.nextKey(),
    upstreamModel: t.upstreamModel,
    params: t.params,
    clientHeaders: ctx.req.headers,
  };
}

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
  ctx.usage.record(
    {
      requestId: ctx.id,
      model: rec.model,
      provider: target?.provider ?? null,
      upstreamModel: target?.upstreamModel ?? null,
      endpoint: rec.endpoint,
      status: finalStatus(ctx, r),
      stream: rec.stream,
      attempts,
      latencyMs: performance.now() - ctx.start,
      ...(ctx.signal.queuedMs > 0 ? { queuedMs: ctx.signal.queuedMs } : {}),
      usage: rec.usage,
      key: ctx.key?.name ?? null,
      price: target?.price,
      ...(outcome.kind !== "served" ? { error: outcome.error.message } : {}),
    },
    ctx.limiter,
  );
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

/** How one attempt of a JSON endpoint is carried: upstream, answered locally, or not by this target. */
export type JsonPlan = { request: UpstreamRequest } | { local: string; warnings: string[] } | { unsupported: string };

/** A JSON-in, JSON-out endpoint whose answers are relayed whole (embeddings, images, count_tokens). */
export interface JsonEndpoint {
  /** Endpoint name in usage records. */
  endpoint: string;
  modelName: string;
  model: LiveModel;
  /** Estimated prompt tokens, for the balancer. */
  promptTokens: number;
  plan(t: LiveTarget, target: TargetContext): JsonPlan;
  /**
   * The client's body and usage from the 2xx body `t` answered (the same bytes for OpenAI-style
   * targets). Absent: the bytes are relayed as they are, with no usage (count_tokens).
   */
  parse?(t: LiveTarget, bytes: Buffer, target: TargetContext): ParsedResponse;
  /** The client's error envelope (OpenAI's by default). */
  sendError?: ErrorSender;
}

/**
 * Routes a JSON endpoint: failover over its targets, the upstream bytes relayed as they are (or
 * translated by `parse` for a target that speaks another format), usage recorded.
 */
export async function serveJson(ctx: RequestContext, ep: JsonEndpoint): Promise<void> {
  let usage: OpenAIUsage | undefined;
  const attempt = async (t: LiveTarget, n: number): Promise<AttemptOutcome> => {
    const t0 = performance.now();
    const target = targetContext(ctx, t);
    const plan = ep.plan(t, target);
    if ("unsupported" in plan) {
      return {
        kind: "retry",
        error: new RouterError("unsupported_endpoint", `Provider ${t.provider} does not serve ${plan.unsupported}.`),
      };
    }
    if ("local" in plan) {
      sendJson(ctx.res, 200, plan.local, servedHeaders(ctx, t.provider, t.upstreamModel, n, plan.warnings));
      return { kind: "served", latencyMs: performance.now() - t0 };
    }
    let status: number;
    let bytes: Buffer;
    try {
      const resp = await sendUpstream(t.live, plan.request, ctx.signal);
      status = resp.statusCode;
      bytes = await readAll(resp.body);
    } catch (err) {
      return { kind: "retry", error: transportError(err, t.provider) };
    }
    if (status >= 400) {
      const error = t.live.adapter.parseError(status, bytes);
      return { kind: error.retryable ? "retry" : "final", error };
    }
    let parsed: ParsedResponse;
    try {
      parsed = ep.parse ? ep.parse(t, bytes, target) : { body: bytes, usage: undefined };
    } catch (err) {
      // A 2xx body the translation cannot read: that upstream is broken, another may not be.
      const error = new RouterError("upstream_bad_response", `Provider ${t.provider} sent an answer that could not be read.`, {
        cause: err,
      });
      return { kind: "retry", error };
    }
    usage = parsed.usage;
    sendJson(ctx.res, 200, parsed.body, servedHeaders(ctx, t.provider, t.upstreamModel, n));
    return { kind: "served", latencyMs: performance.now() - t0 };
  };
  const hints = { promptTokens: ep.promptTokens, maxTokens: undefined, stream: false, now: Date.now() };
  const result = await route(ctx, ep.model, hints, attempt);
  finishRouted(ctx, result, { model: ep.modelName, endpoint: ep.endpoint, stream: false, usage }, ep.sendError);
}
