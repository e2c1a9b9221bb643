import { performance } from "node:perf_hooks";
import { ChatCompletionRequest, type OpenAIUsage } from "@ai-router/contracts";
import { RouterError } from "@ai-router/errors";
import type { ChatStreamTranslator, TargetContext } from "@ai-router/providers";
import { authorizeModel } from "../http/auth.js";
import { parseJsonObject, readBody } from "../http/read-body.js";
import { sendError, sendJson } from "../http/respond.js";
import { validateBody } from "../http/validation.js";
import type { LiveModel, LiveTarget } from "../routing/runtime-table.js";
import { type AttemptOutcome, withFailover } from "../upstream/failover.js";
import { readAll, sendUpstream, transportError } from "../upstream/send-upstream.js";
import { type RequestContext, servedHeaders, upstreamToRouterError } from "./context.js";

const SSE_HEADERS = { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", "x-accel-buffering": "no" };

/** Looks up a model for an endpoint: 404 when unknown, 400 when it serves another kind of request. */
export function resolveModel(ctx: RequestContext, name: string, llmType: "chat" | "embedding" | "image"): LiveModel {
  const model = ctx.table.models.get(name);
  if (!model) {
    throw new RouterError("model_not_found", `The model \`${name}\` does not exist or you do not have access to it.`, {
      param: "model",
      publicCode: "model_not_found",
    });
  }
  authorizeModel(ctx.key, name);
  if (model.config.llmType !== llmType) {
    throw new RouterError(
      "unsupported_endpoint",
      `The model \`${name}\` is a ${model.config.llmType} model and cannot serve this endpoint.`,
      { param: "model" },
    );
  }
  return model;
}

/** POST /v1/chat/completions: route, translate, fail over, stream. */
export async function handleChatCompletions(ctx: RequestContext): Promise<void> {
  const raw = await readBody(ctx.req, ctx.table.settings.maxBodyBytes);
  const body = validateBody(ChatCompletionRequest, parseJsonObject(raw));
  const model = resolveModel(ctx, body.model, "chat");
  const stream = body.stream === true;
  const clientWantsUsage = stream && body.stream_options?.include_usage === true;
  let usage: OpenAIUsage | undefined;
  let warnings: string[] | undefined;

  const attempt = async (t: LiveTarget, n: number): Promise<AttemptOutcome> => {
    const t0 = performance.now();
    const live = t.live;
    const target: TargetContext = {
      provider: live.config,
      apiKey: live.nextKey(),
      upstreamModel: t.upstreamModel,
      params: t.params,
      clientHeaders: ctx.req.headers,
    };
    if (live.adapter.local) {
      if (stream) {
        ctx.res.writeHead(200, { ...SSE_HEADERS, ...servedHeaders(ctx, t.provider, t.upstreamModel, n) });
        for await (const ev of live.adapter.local.stream(body, target, clientWantsUsage)) {
          if (!ctx.res.write(ev)) await drained(ctx);
        }
        ctx.res.end();
        usage = live.adapter.local.complete(body, target).usage;
      } else {
        const out = live.adapter.local.complete(body, target);
        usage = out.usage;
        sendJson(ctx.res, 200, out.body, servedHeaders(ctx, t.provider, t.upstreamModel, n));
      }
      return { kind: "served", latencyMs: performance.now() - t0 };
    }

    const built = live.adapter.buildChatRequest(body, target, { stream, clientWantsUsage, rawBody: raw });
    if (built.dropped.length > 0) {
      if (model.config.strict) {
        return {
          kind: "final",
          error: new RouterError(
            "unsupported_field",
            `The model \`${body.model}\` is strict and its provider ${t.provider} cannot carry: ${built.dropped.join(", ")}.`,
            { param: built.dropped[0] ?? null },
          ),
        };
      }
      warnings = built.dropped.map((f) => `dropped:${f}`);
    }
    let resp: Awaited<ReturnType<typeof sendUpstream>>;
    try {
      resp = await sendUpstream(live, built.request, ctx.signal);
    } catch (err) {
      return { kind: "retry", error: transportError(err, t.provider) };
    }
    if (resp.statusCode >= 400) {
      const errBody = await readAll(resp.body).catch(() => Buffer.alloc(0));
      const error = live.adapter.parseError(resp.statusCode, errBody);
      return { kind: error.retryable ? "retry" : "final", error };
    }
    if (!stream) {
      let bytes: Buffer;
      try {
        bytes = await readAll(resp.body);
      } catch (err) {
        return { kind: "retry", error: transportError(err, t.provider) };
      }
      const parsed = live.adapter.parseChatResponse(bytes, target);
      usage = parsed.usage;
      sendJson(ctx.res, 200, parsed.body, servedHeaders(ctx, t.provider, t.upstreamModel, n, warnings));
      return { kind: "served", latencyMs: performance.now() - t0 };
    }
    const translator = live.adapter.createChatStream(target, { stripUsage: built.stripUsage, requestedModel: body.model });
    const outcome = await pipeStream(
      ctx,
      resp.body,
      translator,
      () => servedHeaders(ctx, t.provider, t.upstreamModel, n, warnings),
      t.provider,
      t0,
    );
    usage = translator.usage;
    return outcome;
  };

  const result = await withFailover(
    model,
    { promptTokens: raw.length >> 2, maxTokens: body.max_completion_tokens ?? body.max_tokens ?? undefined, stream, now: Date.now() },
    ctx.table.settings.maxAttempts,
    attempt,
    () => ctx.signal.aborted,
  );
  const { outcome, target, attempts } = result;
  if (outcome.kind !== "served" && outcome.kind !== "broken" && !ctx.res.headersSent) {
    const err = upstreamToRouterError(outcome.error);
    sendError(ctx.res, err, {
      "x-request-id": ctx.id,
      ...(target
        ? { "x-router-provider": target.provider, "x-router-model": target.upstreamModel, "x-router-attempts": String(attempts) }
        : {}),
    });
  }
  ctx.usage.record({
    requestId: ctx.id,
    model: body.model,
    provider: target?.provider ?? null,
    upstreamModel: target?.upstreamModel ?? null,
    endpoint: "chat.completions",
    status: ctx.signal.aborted
      ? 499
      : outcome.kind === "served"
        ? 200
        : outcome.kind === "broken"
          ? 200
          : upstreamToRouterError(outcome.error).status,
    stream,
    attempts,
    latencyMs: performance.now() - ctx.start,
    usage,
    key: ctx.key?.name ?? null,
    price: target?.price,
    ...(outcome.kind !== "served" ? { error: outcome.error.message } : {}),
  });
}

/**
 * Forwards a translated upstream stream. Headers go out with the first translated bytes, so a failure
 * before that is still a clean failover; after it, the error is reported in-band.
 */
async function pipeStream(
  ctx: RequestContext,
  body: AsyncIterable<Buffer>,
  translator: ChatStreamTranslator,
  headers: () => Record<string, string>,
  provider: string,
  t0: number,
): Promise<AttemptOutcome> {
  const res = ctx.res;
  let started = false;
  let ttft = 0;
  try {
    for await (const chunk of body) {
      const out = translator.push(chunk);
      if (out.length === 0) continue;
      if (!started) {
        if (translator.error) return { kind: translator.error.retryable ? "retry" : "final", error: translator.error };
        res.writeHead(200, { ...SSE_HEADERS, ...headers() });
        started = true;
        ttft = performance.now() - t0;
      }
      if (!res.write(out)) await drained(ctx);
    }
  } catch (err) {
    if (ctx.signal.aborted) return { kind: "final", error: new RouterError("invalid_request", "Client closed the request.") };
    const error = transportError(err, provider);
    if (!started) return { kind: "retry", error };
    res.end(`data: ${JSON.stringify(error.toBody())}\n\n`);
    return { kind: "broken", error };
  }
  if (!started) {
    if (translator.error) return { kind: translator.error.retryable ? "retry" : "final", error: translator.error };
    res.writeHead(200, { ...SSE_HEADERS, ...headers() });
    ttft = performance.now() - t0;
  }
  res.end(translator.end());
  return { kind: "served", latencyMs: ttft };
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
