import { performance } from "node:perf_hooks";
import type { OpenAIUsage } from "@ai-router/contracts";
import { RouterError, toRouterError } from "@ai-router/errors";
import type { ChatStreamTranslator, ParsedResponse, TargetContext, UpstreamResponse } from "@ai-router/providers";
import { type BrokenStream, brokenUsage, continueAttempt, nextTarget } from "../continuation/continue-attempt.js";
import { StreamSplice } from "../continuation/stream-splice.js";
import type { RequestContext } from "../handlers/context.js";
import { servedHeaders, upstreamToRouterError } from "../handlers/context.js";
import { sendJson } from "../http/respond.js";
import type { LimitRefusal } from "../limits/key-limiter.js";
import { maxCostUsd } from "../limits/reserve.js";
import { errorCodeOf } from "../record/request-record.js";
import { type CacheUse, cacheStep } from "../response-cache/cache-step.js";
import type { LiveTarget } from "../routing/runtime-table.js";
import type { WholeResponse } from "../upstream/dispatch-whole.js";
import { type AttemptOutcome, type FailoverResult, FailoverRun } from "../upstream/failover.js";
import { maskUpstreamError } from "../upstream/mask-error.js";
import { readWhole, sendUpstream, sendUpstreamWhole, transportFailure } from "../upstream/send-upstream.js";
import type { PipelineRequest, UpstreamExchange } from "./exchange.js";
import { binaryHeaders, relayStream, SSE_HEADERS } from "./stream-relay.js";
import { estimatedUsage, TextUnitCounter } from "./usage-estimate.js";

/** Model lookup lives beside the pipeline; handlers import it from here. */
export { resolveModel } from "./resolve-model.js";

/** What one attempt at `t` needs to build its upstream request; the provider's key rotates per attempt. */
export function targetContext(ctx: RequestContext, t: LiveTarget, conversation?: number, cacheBreakpoints = false): TargetContext {
  const live = t.live;
  return {
    cacheBreakpoints,
    provider: live.config,
    apiKey: conversation === undefined ? live.nextKey() : live.keyFor(conversation),
    upstreamModel: t.upstreamModel,
    params: t.params,
    clientHeaders: ctx.req.headers,
  };
}

/**
 * Prompts shorter than this (estimated from the body's size) get no automatic cache breakpoints:
 * Anthropic caches nothing under 1,024 tokens, so marking them would only change the request.
 */
const CACHE_MIN_TOKENS = 1024;

/** What the attempts of one request learnt, for the request's end. */
interface RunState {
  usage: OpenAIUsage | undefined;
  /** `usage` is an estimate (see usage-estimate.ts). */
  usageEstimated: boolean;
  /** ms since arrival when the first byte of the answer went out. */
  ttfbMs: number | undefined;
  /** A stream that broke where another target may finish it (`stream_continuation`). */
  broken: BrokenStream | undefined;
  /** The model's response cache, when the answer may be stored. */
  cache: CacheUse | undefined;
  /** Another target continued a broken stream (such an answer is not cached). */
  continued: boolean;
}

/**
 * The one attempt pipeline of every routed endpoint: the balancer's order, then per attempt build the
 * exchange, check strict fields, send (pool or in-process transport), classify the answer (retry,
 * final), parse or relay the stream, and fail over while no byte reached the client. Ends with the
 * client's error envelope if nothing was served, and one "request finished" record.
 */
export async function servePipeline(ctx: RequestContext, p: PipelineRequest): Promise<void> {
  const limiter = ctx.limiter;
  // The response cache, before routing: one property read for models without one.
  let cache: CacheUse | undefined;
  if (p.model.cache !== undefined && p.cacheable !== undefined) {
    const step = await cacheStep(ctx, p, p.model.cache, p.cacheable, (r) => refuse(ctx, p, r));
    if (step === "answered") return;
    cache = step;
  }
  if (ctx.shared !== undefined && limiter !== undefined && ctx.key !== undefined) {
    const verdict = await ctx.shared.admit(limiter, ctx.key, maxCostUsd(p.model, p.promptTokens, p.maxTokens, p.units), Date.now());
    if (verdict.refusal !== undefined) return refuse(ctx, p, verdict.refusal);
    // Settled with the request's tokens and cost when its record is finished (record/request-end.ts).
    ctx.reservation = verdict.reservation;
  } else if (limiter?.budgetUsd !== undefined) {
    // Budgets counted in this process reserve the same way, in memory; given back once the request's
    // record has charged the key (record/request-end.ts), whatever happens in between.
    const reserve = maxCostUsd(p.model, p.promptTokens, p.maxTokens, p.units);
    const refusal = limiter.reserve(reserve);
    if (refusal !== undefined) return refuse(ctx, p, refusal);
    ctx.localReserve = reserve;
  }
  const state: RunState = { usage: undefined, usageEstimated: false, ttfbMs: undefined, broken: undefined, cache, continued: false };
  const hints = { promptTokens: p.promptTokens, maxTokens: p.maxTokens, stream: p.stream, now: Date.now(), affinity: p.affinity };
  const run = new FailoverRun(p.model, hints, ctx.table.settings.maxAttempts, ctx);
  for (let t = run.next(); t !== undefined; t = nextTarget(run, state.broken)) {
    let outcome: AttemptOutcome;
    try {
      const broken = state.broken;
      outcome =
        broken === undefined
          ? await runAttempt(ctx, p, state, t, run.attempts)
          : await continueAttempt(ctx, p, state, broken, t, targetContext(ctx, t), () => promptEstimate(p));
      if (broken !== undefined) state.continued = true;
    } catch (err) {
      outcome = { kind: "final", error: toRouterError(err) };
    }
    if (outcome.kind === "served") state.broken = undefined;
    else if (state.broken !== undefined) state.broken.error = outcome.error;
    if (run.settle(outcome, ctx.signal.aborted)) break;
  }
  const result = run.result();
  if (state.broken !== undefined) {
    // No target finished a broken stream: the client gets the in-band error the break would have given.
    const error = state.broken.error;
    if (!ctx.res.writableEnded) ctx.res.end(p.streamError(upstreamToRouterError(error)));
    result.outcome = { kind: "broken", error };
  }
  // Only an answer one target served whole is cached (never a stream another target continued).
  if (cache !== undefined && result.outcome.kind === "served" && result.target !== undefined && !state.continued) {
    cache.store(result.target, state.usage);
  }
  finishRequest(ctx, p, result, state);
}

/** Answers a request its key's limits refuse (429), before anything is sent upstream. */
function refuse(ctx: RequestContext, p: PipelineRequest, refusal: LimitRefusal): void {
  const { error, headers } = refusal;
  headers["x-request-id"] = ctx.id;
  p.sendError(ctx.res, error, headers);
  ctx.record.endpoint = p.endpoint;
  ctx.record.refuse(error);
}

async function runAttempt(ctx: RequestContext, p: PipelineRequest, state: RunState, t: LiveTarget, n: number): Promise<AttemptOutcome> {
  const t0 = performance.now();
  // A provider serves the endpoints its descriptor declares; the others are skipped (the next target is tried).
  const serves = ctx.endpoint.serves;
  if (serves !== undefined && !t.live.adapter.descriptor.endpoints.includes(serves)) {
    return { kind: "retry", error: new RouterError("unsupported_endpoint", `Provider ${t.provider} does not serve ${serves}.`) };
  }
  const target = targetContext(ctx, t, p.affinity, p.model.config.cacheBreakpoints !== false && p.promptTokens >= CACHE_MIN_TOKENS);
  const ex = p.exchange(t, target);
  if (ex.kind === "unsupported") {
    return { kind: "retry", error: new RouterError("unsupported_endpoint", `Provider ${t.provider} does not serve ${ex.what}.`) };
  }
  if (ex.kind === "answer") {
    if (p.onServed) await p.onServed(t, ex.body);
    sendJson(ctx.res, 200, ex.body, servedHeaders(ctx, t.provider, t.upstreamModel, n, ex.warnings));
    state.ttfbMs = performance.now() - ctx.start;
    return { kind: "served", latencyMs: performance.now() - t0 };
  }
  let warnings: string[] | undefined;
  if (ex.dropped.length > 0) {
    if (p.model.config.strict) {
      return {
        kind: "final",
        error: new RouterError(
          "unsupported_field",
          `The model \`${p.modelName}\` is strict and its provider ${t.provider} cannot carry: ${ex.dropped.join(", ")}.`,
          { param: ex.dropped[0] ?? null },
        ),
      };
    }
    warnings = ex.dropped.map((f) => `dropped:${f}`);
  }
  // A stream translator's own notes (e.g. an estimated input count) join the warnings when the headers go out.
  let streamed: ChatStreamTranslator | undefined;
  const headers = () =>
    servedHeaders(
      ctx,
      t.provider,
      t.upstreamModel,
      n,
      streamed?.warnings === undefined ? warnings : withNotes(warnings, streamed.warnings),
    );

  const traceparent = ctx.trace !== undefined ? ctx.trace.attempt() : ctx.traceparent;
  if ((p.stream || p.binary) && ex.createStream) {
    let resp: UpstreamResponse;
    try {
      resp = await sendUpstream(t.live, ex.request, ctx.signal, traceparent);
    } catch (err) {
      return transportFailure(err, t.provider);
    }
    if (resp.statusCode >= 400) return upstreamFailure(ex, resp.statusCode, (await readWhole(resp)).body, t);
    // A model that continues broken streams notes what reached the client between target and client formats.
    const splice = p.continuation && !p.binary && ex.createInner && ex.encode ? new StreamSplice(ex.createInner()) : undefined;
    const created = splice && ex.encode ? ex.encode(splice) : ex.createStream();
    const translator = state.cache !== undefined && !p.binary ? state.cache.tapStream(created) : created;
    // Bytes relayed as they are (audio, transcripts) go out under the upstream's own content type, uncounted.
    const counter = p.binary ? undefined : new TextUnitCounter();
    streamed = translator;
    const answerHeaders = p.binary ? binaryHeaders(resp) : SSE_HEADERS;
    const outcome = await relayStream(ctx, resp.body, translator, headers, t.provider, t0, p.streamError, counter, answerHeaders, splice);
    if (outcome.kind !== "served") outcome.error = maskUpstreamError(outcome.error, t.live.config);

    state.usage = translator.usage;
    state.usageEstimated = false;
    // Text reached the client but no (final) usage came: the client hung up first, the stream broke, or
    // the upstream sends none. Estimated, so tpm limits and budgets still see it.
    if (counter !== undefined && counter.relayed > 0 && (state.usage === undefined || outcome.kind !== "served")) {
      state.usage = estimatedUsage(state.usage, () => promptEstimate(p), counter.tokens);
      state.usageEstimated = true;
    }
    if (splice && outcome.kind === "broken" && outcome.resume) {
      state.broken = { splice, client: translator, error: outcome.error, deadline: performance.now() + t.live.config.timeoutMs };
      state.usage = brokenUsage(splice, () => promptEstimate(p));
      state.usageEstimated = true;
    }
    // Output size feeds the target's tokens/s (health); a served stream's latency is its time to first byte.
    if (outcome.kind === "served") {
      state.ttfbMs = t0 - ctx.start + outcome.latencyMs;
      outcome.outputTokens = state.usage?.completion_tokens;
      if (p.onServed) await p.onServed(t, undefined);
    }
    return outcome;
  }
  // A JSON answer: read whole by the dispatch handler, one promise for the attempt.
  let answer: WholeResponse;
  try {
    answer = await sendUpstreamWhole(t.live, ex.request, ctx.signal, traceparent);
  } catch (err) {
    return transportFailure(err, t.provider);
  }
  if (answer.statusCode >= 400) return upstreamFailure(ex, answer.statusCode, answer.body, t);
  const bytes = answer.body;
  let parsed: ParsedResponse;
  try {
    parsed = ex.parse(bytes);
  } catch (err) {
    // A 2xx body the translation cannot read: that upstream is broken, another may not be.
    return {
      kind: "retry",
      error: new RouterError("upstream_bad_response", `Provider ${t.provider} sent an answer that could not be read.`, { cause: err }),
    };
  }
  state.usage = parsed.usage;
  state.usageEstimated = false;
  if (parsed.usage === undefined && p.estimatePromptTokens) {
    const counter = new TextUnitCounter();
    counter.push(parsed.body);
    state.usage = estimatedUsage(undefined, () => promptEstimate(p), counter.tokens);
    state.usageEstimated = true;
  }
  if (p.onServed) await p.onServed(t, parsed.body);
  if (state.cache !== undefined) state.cache.keepJson(parsed.body);
  sendJson(ctx.res, 200, parsed.body, headers());
  state.ttfbMs = performance.now() - ctx.start;
  return { kind: "served", latencyMs: performance.now() - t0, outputTokens: parsed.usage?.completion_tokens };
}

/** An upstream error answer: retried or final as the provider's error says; never with the router's own credentials in it. */
function upstreamFailure(ex: UpstreamExchange, status: number, body: Buffer, t: LiveTarget): AttemptOutcome {
  const error = maskUpstreamError(ex.parseError(status, body), t.live.config);
  return { kind: error.retryable ? "retry" : "final", error };
}

const withNotes = (warnings: string[] | undefined, notes: readonly string[] | undefined): string[] | undefined =>
  notes === undefined || notes.length === 0 ? warnings : (warnings ?? []).concat(notes);

const promptEstimate = (p: PipelineRequest): number => (p.estimatePromptTokens ? p.estimatePromptTokens() : p.promptTokens);

/**
 * Ends a routed request: a failure that reached no byte of the answer is sent in the client's error
 * envelope (saying who failed, after how many attempts), then what the attempts learnt goes into the
 * request's record (the server finishes it and hands it to the sinks).
 */
function finishRequest(ctx: RequestContext, p: PipelineRequest, r: FailoverResult, state: RunState): void {
  const { outcome, target, attempts } = r;
  // Bytes of an answer went out (before any error envelope below).
  const answerStarted = ctx.res.headersSent;
  if (outcome.kind !== "served" && outcome.kind !== "broken" && !ctx.res.headersSent) {
    const h: Record<string, string> = { "x-request-id": ctx.id };
    if (target) {
      h["x-router-provider"] = target.provider;
      h["x-router-model"] = target.upstreamModel;
      h["x-router-attempts"] = String(attempts);
    }
    p.sendError(ctx.res, upstreamToRouterError(outcome.error), h);
  }
  const rec = ctx.record;
  const aborted = ctx.signal.aborted;
  rec.endpoint = p.endpoint;
  rec.stream = p.stream;
  rec.outcome = aborted ? "cancelled" : outcome.kind === "served" ? "served" : outcome.kind === "broken" ? "broken" : "failed";
  rec.provider = target?.provider ?? null;
  rec.upstreamModel = target?.upstreamModel ?? null;
  rec.price = target?.price;
  rec.attempts = r.chain;
  rec.usage = state.usage;
  if (state.usageEstimated) rec.usageEstimated = true;
  rec.ttfbMs = state.ttfbMs;
  // Bytes of an answer reached the client (also a stream the client cut): its tokens are charged.
  rec.answered = outcome.kind === "served" || outcome.kind === "broken" || (aborted && answerStarted);
  if (outcome.kind !== "served") {
    rec.error = outcome.error.message;
    rec.errorCode = aborted ? "client_closed_request" : errorCodeOf(outcome.error);
  }
}
