import type { ServerResponse } from "node:http";
import { GeminiCountTokensRequest, GeminiGenerateRequest } from "@ai-router/contracts";
import { RouterError } from "@ai-router/errors";
import { chatToGemini, estimateTokens, type GeminiIngressRequest, GeminiStreamEncoder, geminiToChat } from "@ai-router/providers";
import type { Endpoint } from "../endpoints/endpoint.js";
import type { RequestContext } from "../handlers/context.js";
import { parseJsonObject } from "../http/read-body.js";
import { sendJson } from "../http/respond.js";
import { validateBody } from "../http/validation.js";
import { resolveModel, servePipeline } from "../pipeline/serve.js";
import { type Ingress, serveIngressCall } from "./ingress.js";
import { forProvider } from "./messages.js";

/** Gemini's status names for HTTP statuses (the `status` of its error envelope). */
const STATUS_NAMES: Record<number, string> = {
  400: "INVALID_ARGUMENT",
  401: "UNAUTHENTICATED",
  403: "PERMISSION_DENIED",
  404: "NOT_FOUND",
  405: "INVALID_ARGUMENT",
  408: "DEADLINE_EXCEEDED",
  409: "ABORTED",
  413: "INVALID_ARGUMENT",
  415: "INVALID_ARGUMENT",
  429: "RESOURCE_EXHAUSTED",
  499: "CANCELLED",
  500: "INTERNAL",
  502: "UNAVAILABLE",
  503: "UNAVAILABLE",
  504: "DEADLINE_EXCEEDED",
};

/** Gemini's error envelope: `{"error":{"code","message","status"}}`. */
export function geminiErrorBody(err: RouterError) {
  const e = err.toBody().error;
  return {
    error: {
      code: err.status,
      message: e.message,
      status: STATUS_NAMES[err.status] ?? (err.status >= 500 ? "INTERNAL" : "INVALID_ARGUMENT"),
    },
  };
}

export function sendGeminiError(res: ServerResponse, err: RouterError, headers: Record<string, string>): void {
  sendJson(res, err.status, JSON.stringify(geminiErrorBody(err)), headers);
}

const streamError = (err: RouterError) => `data: ${JSON.stringify(geminiErrorBody(err))}\r\n\r\n`;

type Method = "generateContent" | "streamGenerateContent" | "countTokens";

/** `{model}:{method}` from the path rest (`models/` optional, as the SDKs send either). */
function modelMethod(rest: string): { model: string; method: Method } {
  const m = /^(?:models\/)?([^:]+):(generateContent|streamGenerateContent|countTokens)$/.exec(rest);
  if (!m) throw new RouterError("not_found", `Unknown Gemini method: ${rest}.`, { publicCode: "unknown_url" });
  return { model: m[1] as string, method: m[2] as Method };
}

/**
 * Gemini's `generateContent` / `streamGenerateContent?alt=sse` at the front door, for every model:
 * Gemini targets get the body natively, the others through the internal form.
 */
export const geminiIngress: Ingress = {
  name: "gemini",
  endpoint: (call) => (call.stream ? "gemini.streamGenerateContent" : "gemini.generateContent"),
  native: "gemini",
  parse(raw, _ctx, rest) {
    const { model, method } = modelMethod(rest);
    const json = parseJsonObject(raw);
    // Type-checked before any translation reads it: a wrong shape is a 400 naming the field.
    const body = validateBody(GeminiGenerateRequest, json) as GeminiIngressRequest;
    const stream = method === "streamGenerateContent";
    let form: ReturnType<typeof geminiToChat> | undefined;
    const g = body.generationConfig;
    return {
      model,
      stream,
      maxTokens: typeof g?.maxOutputTokens === "number" ? g.maxOutputTokens : undefined,
      json,
      toChat(type) {
        form ??= geminiToChat(body, model, stream);
        return { req: forProvider(form.req, type), dropped: form.dropped, clientWantsUsage: stream };
      },
      fromChat: (completion) => JSON.stringify(chatToGemini(JSON.parse(completion.toString()), model)),
      encodeStream: (inner) => new GeminiStreamEncoder(inner, model),
    };
  },
  sendError: sendGeminiError,
  streamError,
};

/** The text of a countTokens body (`contents` or `generateContentRequest`), for an estimate. */
function countText(body: Record<string, unknown>): string {
  const req = (body.generateContentRequest ?? body) as GeminiIngressRequest;
  const contents = Array.isArray(req.contents) ? req.contents : req.contents ? [req.contents] : [];
  let s = typeof req.systemInstruction === "string" ? req.systemInstruction : "";
  for (const c of contents) for (const p of c.parts ?? []) s += p.text ?? (p.functionCall ? JSON.stringify(p.functionCall) : "");
  return s;
}

/** `:countTokens`: exact from a Gemini target, estimated for the others (`x-router-warnings: estimated:totalTokens`). */
async function countTokens(ctx: RequestContext, model: string, raw: Buffer): Promise<void> {
  const json = parseJsonObject(raw);
  validateBody(GeminiCountTokensRequest, json);
  await servePipeline(ctx, {
    endpoint: "gemini.countTokens",
    modelName: model,
    model: resolveModel(ctx, model),
    stream: false,
    promptTokens: raw.length >> 2,
    maxTokens: undefined,
    exchange: (t, target) => {
      const adapter = t.live.adapter;
      const count = adapter.native?.gemini?.countTokens;
      if (count) {
        return {
          kind: "upstream",
          dropped: [],
          request: count(json, target),
          parse: (b) => ({ body: b, usage: undefined }),
          parseError: adapter.parseError,
        };
      }
      const text = countText(json);
      return {
        kind: "answer",
        body: JSON.stringify({ totalTokens: text ? estimateTokens(text) : 0 }),
        warnings: ["estimated:totalTokens"],
      };
    },
    sendError: sendGeminiError,
    streamError,
  });
}

/** `POST /v1beta/models/{model}:{method}` and the same under `/v1/models/`, Gemini's error envelope, `?key=` accepted. */
export function geminiEndpoints(): Endpoint[] {
  const handle = async (ctx: RequestContext, rest: string) => {
    const { model, method } = modelMethod(rest);
    const raw = ctx.body;
    if (method === "countTokens") return countTokens(ctx, model, raw);
    const call = await geminiIngress.parse(raw, ctx, rest);
    await serveIngressCall(ctx, geminiIngress, call, raw.length >> 2);
  };
  return ["/v1beta/models/*", "/v1/models/*"].map(
    (path): Endpoint => ({
      method: "POST",
      path,
      auth: true,
      queryKey: true,
      body: "raw",
      llmType: "chat",
      serves: "chat",
      answers: ["json", "sse"],
      sendError: sendGeminiError,
      usage: { ingress: "gemini", endpoint: "gemini.generateContent", estimate: "chat" },
      handle,
    }),
  );
}
