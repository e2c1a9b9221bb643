import type { ServerResponse } from "node:http";
import { performance } from "node:perf_hooks";
import type { Readable } from "node:stream";
import type { LlmType, OpenAIUsage } from "@ai-router/contracts";
import { RouterError } from "@ai-router/errors";
import type { ChatStreamTranslator, ParsedResponse, TargetContext, UpstreamError, UpstreamRequest } from "@ai-router/providers";
import { sendJson } from "../http/respond.js";
import type { LiveModel, LiveTarget } from "../routing/runtime-table.js";
import type { AttemptOutcome } from "../upstream/failover.js";
import { readAll, sendUpstream, transportError } from "../upstream/send-upstream.js";
import { type RequestContext, servedHeaders } from "./context.js";
import { findModel } from "./models.js";
import { finishRouted, route, targetContext } from "./routed-request.js";

export const SSE_HEADERS = { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", "x-accel-buffering": "no" };

/** Looks up a model for an endpoint: 404 when unknown, 400 when it serves another kind of request. */
export function resolveModel(ctx: RequestContext, name: string, llmType: LlmType): LiveModel {
  if (ctx.draft !== undefined) ctx.draft.model ??= name;
  const model = findModel(ctx, name);
  if (model.config.llmType !== llmType) {
    throw new RouterError(
      "unsupported_endpoint",
      `The model \`${name}\` is a ${model.config.llmType} model and cannot serve this endpoint.`,
      { param: "model" },
    );
  }
  return model;
}

/** A target that answers in-process (the mock provider), already in the client's format. */
export interface LocalExchange {
  json(): { body: string; usage: OpenAIUsage | undefined };
  /** The answer's events, and its usage. */
  stream(): { events: AsyncIterable<string>; usage: OpenAIUsage | undefined };
}

/** How one request is carried to one target and back, in the client's format. */
export interface ChatExchange {
  /** Request fields the target cannot carry (`x-router-warnings`, or a 400 for a strict model). */
  dropped: string[];
  local?: LocalExchange;
  /** The upstream request (absent for local targets). */
  request?: UpstreamRequest;
  /** Upstream 2xx body -> client bytes and usage. */
  parse(bytes: Buffer): ParsedResponse;
  /** Upstream event stream -> client event stream. */
  createStream(): ChatStreamTranslator;
  parseError(status: number, body: Buffer): UpstreamError;
}

/** One chat-style endpoint (OpenAI chat completions, Anthropic messages) over the shared core. */
export interface ChatIngress {
  /** Endpoint name in usage records. */
  endpoint: string;
  modelName: string;
  model: LiveModel;
  stream: boolean;
  /** Hints for the balancer. */
  promptTokens: number;
  maxTokens: number | undefined;
  /** Builds the exchange for one attempt at one target. */
  exchange(t: LiveTarget, target: TargetContext): ChatExchange;
  /** Answers an error before any byte was sent, in the client's error envelope. */
  sendError(res: ServerResponse, err: RouterError, headers: Record<string, string>): void;
  /** The bytes that report an error once a stream has started. */
  streamError(err: RouterError): string;
}

/** Routes a chat-style request: balancing order, failover, strict fields, JSON or stream, usage record. */
export async function serveChat(ctx: RequestContext, ingress: ChatIngress): Promise<void> {
  const { stream, model } = ingress;
  let usage: OpenAIUsage | undefined;

  const attempt = async (t: LiveTarget, n: number): Promise<AttemptOutcome> => {
    const t0 = performance.now();
    const live = t.live;
    const ex = ingress.exchange(t, targetContext(ctx, t));
    let warnings: string[] | undefined;
    if (ex.dropped.length > 0) {
      if (model.config.strict) {
        return {
          kind: "final",
          error: new RouterError(
            "unsupported_field",
            `The model \`${ingress.modelName}\` is strict and its provider ${t.provider} cannot carry: ${ex.dropped.join(", ")}.`,
            { param: ex.dropped[0] ?? null },
          ),
        };
      }
      warnings = ex.dropped.map((f) => `dropped:${f}`);
    }
    const headers = () => servedHeaders(ctx, t.provider, t.upstreamModel, n, warnings);

    if (ex.local) {
      if (stream) {
        ctx.res.writeHead(200, Object.assign(headers(), SSE_HEADERS));
        if (ctx.draft !== undefined) ctx.draft.firstByteAt = performance.now();
        const answer = ex.local.stream();
        for await (const ev of answer.events) {
          if (!ctx.res.write(ev)) await drained(ctx);
        }
        ctx.res.end();
        usage = answer.usage;
      } else {
        const out = ex.local.json();
        usage = out.usage;
        sendJson(ctx.res, 200, out.body, headers());
      }
      return { kind: "served", latencyMs: performance.now() - t0 };
    }
    if (!ex.request) throw new Error(`provider ${t.provider} built no request`);

    let resp: Awaited<ReturnType<typeof sendUpstream>>;
    try {
      resp = await sendUpstream(live, ex.request, ctx.signal);
    } catch (err) {
      return { kind: "retry", error: transportError(err, t.provider) };
    }
    if (resp.statusCode >= 400) {
      const errBody = await readAll(resp.body).catch(() => Buffer.alloc(0));
      const error = ex.parseError(resp.statusCode, errBody);
      return { kind: error.retryable ? "retry" : "final", error };
    }
    if (!stream) {
      let bytes: Buffer;
      try {
        bytes = await readAll(resp.body);
      } catch (err) {
        return { kind: "retry", error: transportError(err, t.provider) };
      }
      const parsed = ex.parse(bytes);
      usage = parsed.usage;
      sendJson(ctx.res, 200, parsed.body, headers());
      return { kind: "served", latencyMs: performance.now() - t0, outputTokens: usage?.completion_tokens };
    }
    const translator = ex.createStream();
    const outcome = await pipeStream(ctx, resp.body, translator, headers, t.provider, t0, ingress.streamError);
    usage = translator.usage;
    // Output size feeds the target's tokens/s (health).
    if (outcome.kind === "served") outcome.outputTokens = usage?.completion_tokens;
    return outcome;
  };

  const result = await route(
    ctx,
    model,
    { promptTokens: ingress.promptTokens, maxTokens: ingress.maxTokens, stream, now: Date.now() },
    attempt,
  );
  finishRouted(ctx, result, { model: ingress.modelName, endpoint: ingress.endpoint, stream, usage }, ingress.sendError);
}

/**
 * Forwards a translated upstream stream. Headers go out with the first translated bytes, so a failure
 * before that is still a clean failover; after it, the error is reported in-band.
 */
const ignore = () => {};

function pipeStream(
  ctx: RequestContext,
  body: Readable,
  translator: ChatStreamTranslator,
  headers: () => Record<string, string>,
  provider: string,
  t0: number,
  streamError: (err: RouterError) => string,
): Promise<AttemptOutcome> {
  // Event handlers rather than `for await`: no promise per chunk on the hottest loop of the proxy.
  const res = ctx.res;
  return new Promise<AttemptOutcome>((resolve) => {
    let started = false;
    let ttft = 0;
    let done = false;
    const resume = () => body.resume();
    const finish = (outcome: AttemptOutcome) => {
      if (done) return;
      done = true;
      body.off("data", onData);
      body.off("end", onEnd);
      body.off("error", onError);
      // A destroyed or late-failing body may still emit 'error': never leave it without a listener.
      body.on("error", ignore);
      res.off("drain", resume);
      resolve(outcome);
    };
    // The stream's end marker arrived: the client's response ends now (its last bytes and the
    // chunked terminator in one write), and what the upstream may still send is drained unread so its
    // connection goes back to the pool.
    const endEarly = (out: string | Buffer) => {
      if (out.length > 0) res.write(out);
      res.end(translator.end());
      finish({ kind: "served", latencyMs: ttft });
      if (!body.destroyed) body.resume();
    };
    const start = () => {
      res.writeHead(200, Object.assign(headers(), SSE_HEADERS));
      started = true;
      const now = performance.now();
      ttft = now - t0;
      if (ctx.draft !== undefined) ctx.draft.firstByteAt = now;
    };
    const onData = (chunk: Buffer) => {
      const out = translator.push(chunk);
      if (out.length === 0) return;
      if (!started) {
        const e = translator.error;
        if (e) {
          body.destroy();
          return finish({ kind: e.retryable ? "retry" : "final", error: e });
        }
        start();
      }
      if (translator.complete) return endEarly(out);
      if (!res.write(out)) {
        body.pause();
        res.once("drain", resume);
      }
    };
    const onEnd = () => {
      if (!started) {
        const e = translator.error;
        if (e) return finish({ kind: e.retryable ? "retry" : "final", error: e });
        start();
      }
      res.end(translator.end());
      finish({ kind: "served", latencyMs: ttft });
    };
    const onError = (err: unknown) => {
      if (ctx.signal.aborted) return finish({ kind: "final", error: new RouterError("invalid_request", "Client closed the request.") });
      const error = transportError(err, provider);
      if (!started) return finish({ kind: "retry", error });
      res.end(streamError(error));
      finish({ kind: "broken", error });
    };
    body.on("data", onData);
    body.on("end", onEnd);
    body.on("error", onError);
  });
}

function drained(ctx: RequestContext): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      ctx.res.off("drain", done);
      ctx.res.off("close", done);
      resolve();
    };
    ctx.res.on("drain", done);
    ctx.res.on("close", done);
  });
}
