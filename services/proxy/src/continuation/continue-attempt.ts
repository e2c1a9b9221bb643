import { performance } from "node:perf_hooks";
import type { OpenAIUsage } from "@ai-router/contracts";
import { RouterError } from "@ai-router/errors";
import type { ChatStreamTranslator, TargetContext, UpstreamError, UpstreamResponse } from "@ai-router/providers";
import type { RequestContext } from "../handlers/context.js";
import type { PipelineRequest } from "../pipeline/exchange.js";
import { relayStream, SSE_HEADERS } from "../pipeline/stream-relay.js";
import { estimatedUsage, TextUnitCounter } from "../pipeline/usage-estimate.js";
import type { LiveTarget } from "../routing/runtime-table.js";
import type { AttemptOutcome, FailoverRun } from "../upstream/failover.js";
import { maskUpstreamError } from "../upstream/mask-error.js";
import { readWhole, sendUpstream, transportError } from "../upstream/send-upstream.js";
import type { StreamSplice } from "./stream-splice.js";

/** A stream that broke where another target may finish it: the client's response is still open. */
export interface BrokenStream {
  splice: StreamSplice;
  /** The client's encoder (around the splice): the same object carries on, so ids and indexes do. */
  client: ChatStreamTranslator;
  error: RouterError | UpstreamError;
  /**
   * One deadline for the whole continuation (`performance.now()` ms): the broken target's `timeout_ms`
   * after the break. No continuation attempt starts after it; each attempt keeps its own timeouts.
   */
  deadline: number;
}

/** What the attempts learnt so far (serve.ts's run state, the fields a continuation updates). */
export interface ContinuationRunState {
  usage: OpenAIUsage | undefined;
  usageEstimated: boolean;
  broken: BrokenStream | undefined;
}

/** Only a target whose provider takes an assistant prefill may continue a stream. */
export const takesPrefill = (t: LiveTarget): boolean => t.live.adapter.descriptor.prefill !== undefined;

/**
 * The next target of the run: while a broken stream waits, one that may continue it (any target when
 * nothing but the role went out), and none once the continuation's deadline passed.
 */
export function nextTarget(run: FailoverRun, broken: BrokenStream | undefined): LiveTarget | undefined {
  if (broken === undefined) return run.next();
  if (performance.now() > broken.deadline) return undefined;
  return run.next(broken.splice.text === "" ? undefined : takesPrefill);
}

/**
 * One attempt at finishing a broken stream on `t`: the client's request with the text it already has as
 * an assistant prefill, the answer relayed into the same response (through the same client encoder, the
 * splice rewriting the target's chunks into the first stream's). Fails over like a first attempt while
 * nothing of the continuation went out; a continuation that breaks in turn may be continued again.
 */
export async function continueAttempt(
  ctx: RequestContext,
  p: PipelineRequest,
  state: ContinuationRunState,
  broken: BrokenStream,
  t: LiveTarget,
  target: TargetContext,
  estimatePrompt: () => number,
): Promise<AttemptOutcome> {
  const t0 = performance.now();
  const ex = p.continuation?.(t, target, broken.splice.text);
  if (ex === undefined)
    return { kind: "retry", error: new RouterError("unsupported_endpoint", `Provider ${t.provider} takes no prefill.`) };
  if (ex.dropped.length > 0 && p.model.config.strict) {
    return { kind: "retry", error: new RouterError("unsupported_field", `Provider ${t.provider} cannot carry: ${ex.dropped.join(", ")}.`) };
  }
  const traceparent = ctx.trace !== undefined ? ctx.trace.attempt() : ctx.traceparent;
  let resp: UpstreamResponse;
  try {
    resp = await sendUpstream(t.live, ex.request, ctx.signal, traceparent);
  } catch (err) {
    return { kind: "retry", error: transportError(err, t.provider) };
  }
  if (resp.statusCode >= 400) {
    const error = maskUpstreamError(ex.parseError(resp.statusCode, (await readWhole(resp)).body), t.live.config);
    // Whatever the status, the next target may still finish the answer.
    return { kind: "retry", error };
  }
  broken.splice.swap(ex.createInner(), ex.trimmed);
  const counter = new TextUnitCounter();
  const outcome = await relayStream(
    ctx,
    resp.body,
    broken.client,
    noHeaders,
    t.provider,
    t0,
    p.streamError,
    counter,
    SSE_HEADERS,
    broken.splice,
    true,
  );
  if (outcome.kind !== "served") outcome.error = maskUpstreamError(outcome.error, t.live.config);
  // The request's usage is both attempts': the broken one's (estimated) and this one's (whose prompt
  // includes the prefill).
  let usage = broken.splice.usage;
  if (usage === undefined || outcome.kind !== "served") {
    usage = estimatedUsage(usage, estimatePrompt, counter.tokens);
    state.usageEstimated = true;
  }
  state.usage = sumUsage(state.usage, usage);
  if (outcome.kind === "served") {
    outcome.outputTokens = usage.completion_tokens;
    if (p.onServed) await p.onServed(t, undefined);
  }
  return outcome;
}

/**
 * The broken attempt's usage: what its upstream reported, else an estimate from the text the client got
 * (the splice has it exactly, whatever the client's format).
 */
export function brokenUsage(splice: StreamSplice, estimatePrompt: () => number): OpenAIUsage {
  const counter = new TextUnitCounter();
  counter.push(JSON.stringify({ content: splice.text }));
  return estimatedUsage(splice.usage, estimatePrompt, counter.tokens);
}

/** The headers went out with the first attempt. */
const noHeaders = (): Record<string, string> => ({});

/** Two attempts' usage added up (the first may be missing). */
export function sumUsage(a: OpenAIUsage | undefined, b: OpenAIUsage): OpenAIUsage {
  if (a === undefined) return b;
  const prompt = a.prompt_tokens + b.prompt_tokens;
  const completion = a.completion_tokens + b.completion_tokens;
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}
