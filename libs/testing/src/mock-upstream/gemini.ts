import { randomBytes } from "node:crypto";
import type { ServerResponse } from "node:http";
import type { MockBehavior } from "./behavior.js";
import { geminiEmbedResponse, validateGeminiEmbed } from "./gemini-embed.js";
import { type GeminiBody, type Json, type Part, validateGemini } from "./gemini-validate.js";
import type { MockContext, MockRouteEntry } from "./server.js";

export * from "./gemini-embed.js";
export { type GeminiBody, validateGemini } from "./gemini-validate.js";

/**
 * Wire-exact Gemini API (`POST {base}/models/{model}:generateContent` and
 * `:streamGenerateContent`, SSE with `?alt=sse`, else a JSON array; `:batchEmbedContents` with
 * deterministic vectors from the text, `outputDimensionality` honoured), validated the way Gemini
 * validates: unknown fields, empty `contents`, bad roles, parts without data, empty OBJECT schemas,
 * function-call turn order and counts, and, for `gemini-3*` models, the thought signature on the
 * first function call of each model turn. Deterministic answers, like the other mocks: with tools
 * offered and a user text last, the model calls every tool the text names (the first when none is
 * named); after function responses it answers `Tool said: ...`; otherwise `Echo: <text>`.
 * `thinkingConfig.includeThoughts` adds a thought part; JSON mode answers `{"echo": <text>}`; a
 * system instruction of 1024+ tokens is reported as implicitly cached. A user text containing
 * `[blocked]` is blocked at the prompt (`promptFeedback`), `[unsafe]` ends with finishReason SAFETY.
 *
 * Failures: `behavior.status` answers with Google's error envelope (`errorType` overrides the status
 * name); `behavior.errorType` without a status fails a stream in-band with an `{"error":...}` event.
 */

const STATUS_NAME: Record<number, string> = {
  400: "INVALID_ARGUMENT",
  401: "UNAUTHENTICATED",
  403: "PERMISSION_DENIED",
  404: "NOT_FOUND",
  429: "RESOURCE_EXHAUSTED",
  500: "INTERNAL",
  503: "UNAVAILABLE",
  504: "DEADLINE_EXCEEDED",
};
const STATUS_MESSAGE: Record<number, string> = {
  400: "Request contains an invalid argument.",
  403: "The caller does not have permission",
  404: "Requested entity was not found.",
  429: "Resource has been exhausted (e.g. check quota).",
  500: "An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting",
  503: "The model is overloaded. Please try again later.",
  504: "Deadline expired before operation could complete.",
};
const STATUS_OF_NAME: Record<string, number> = Object.fromEntries(Object.entries(STATUS_NAME).map(([k, v]) => [v, Number(k)]));

/** Google's error envelope. */
export function geminiErrorBody(status: number, message?: string, name?: string, details?: Json[]) {
  const error: Json = {
    code: status,
    message: message ?? STATUS_MESSAGE[status] ?? "Unknown error.",
    status: name ?? STATUS_NAME[status] ?? "UNKNOWN",
  };
  if (details) error.details = details;
  return { error };
}

function sendJson(res: ServerResponse, status: number, obj: unknown, headers?: Record<string, string>): void {
  const body = JSON.stringify(obj, null, 2);
  res.writeHead(status, { "content-type": "application/json; charset=UTF-8", "content-length": Buffer.byteLength(body), ...headers });
  res.end(body);
}

export function sendGeminiError(res: ServerResponse, b: MockBehavior, status: number): void {
  sendJson(res, status, geminiErrorBody(status, b.message, b.errorType), b.headers);
}

// ---- validation -------------------------------------------------------------------------------

/** Proto field names Gemini accepts (REST camelCase, or the proto's snake_case). */
const tokens = (s: string) => Math.max(1, Math.ceil(s.length / 4));
const textOf = (parts: Part[] | undefined) => (parts ?? []).map((p) => p.text ?? "").join("");
export const newResponseId = () => randomBytes(15).toString("base64url");

interface Planned {
  parts: Part[];
  finishReason: string | undefined;
  blockReason?: string;
  usage: Json;
}

export function planGeminiReply(body: GeminiBody, model: string, b: MockBehavior): Planned {
  const contents = body.contents ?? [];
  const last = contents[contents.length - 1];
  const said = textOf(last?.parts);
  const system = tokens(textOf(body.systemInstruction?.parts));
  const prompt = tokens(JSON.stringify(contents)) + tokens(JSON.stringify(body.tools ?? [])) + system;
  const usage = (candidates: number, thoughts = 0): Json => ({
    promptTokenCount: prompt,
    ...(candidates > 0 ? { candidatesTokenCount: candidates } : {}),
    totalTokenCount: prompt + candidates + thoughts,
    ...(system >= 1024 ? { cachedContentTokenCount: system } : {}),
    promptTokensDetails: [{ modality: "TEXT", tokenCount: prompt }],
    ...(thoughts > 0 ? { thoughtsTokenCount: thoughts } : {}),
  });
  if (said.includes("[blocked]")) return { parts: [], finishReason: undefined, blockReason: "SAFETY", usage: usage(0) };
  if (said.includes("[unsafe]")) return { parts: [], finishReason: "SAFETY", usage: usage(0) };
  const g = body.generationConfig ?? {};
  const parts: Part[] = [];
  let thoughts = 0;
  const thinking = g.thinkingConfig?.includeThoughts === true;
  if (thinking) {
    parts.push({ text: "Let me think about that.", thought: true });
    thoughts = 6;
  }
  const responses = (last?.parts ?? []).filter((p) => p.functionResponse);
  const tools = (body.tools ?? []).flatMap((t) => t.functionDeclarations ?? []);
  const mode = body.toolConfig?.functionCallingConfig?.mode ?? "AUTO";
  if (tools.length > 0 && responses.length === 0 && mode !== "NONE") {
    const allowed = body.toolConfig?.functionCallingConfig?.allowedFunctionNames;
    const offered = mode === "ANY" && allowed?.length ? tools.filter((t) => allowed.includes(t.name)) : tools;
    let chosen = offered.filter((t) => said.includes(t.name));
    if (chosen.length === 0) chosen = offered.slice(0, 1);
    chosen.forEach((t, n) => {
      const part: Part = { functionCall: { name: t.name, args: { query: said.slice(0, 60), n } } };
      // Gemini 3 signs the first function call of a turn (2.5 only when thinking is on).
      if (n === 0 && (thinking || /gemini-[3-9]/.test(model))) part.thoughtSignature = `sig_${Buffer.from(t.name).toString("base64")}`;
      parts.push(part);
    });
    return { parts, finishReason: "STOP", usage: usage(10 * chosen.length, thoughts) };
  }
  const said2 = responses.length > 0 ? `Tool said: ${responses.map((p) => JSON.stringify(p.functionResponse?.response)).join(" ")}` : said;
  let text =
    b.text ?? (responses.length > 0 ? said2 : g.responseMimeType === "application/json" ? JSON.stringify({ echo: said }) : `Echo: ${said}`);
  let out = tokens(text);
  let finishReason = "STOP";
  if (g.maxOutputTokens && out > g.maxOutputTokens) {
    text = text.slice(0, g.maxOutputTokens * 4);
    out = g.maxOutputTokens;
    finishReason = "MAX_TOKENS";
  }
  parts.push({ text });
  return { parts, finishReason, usage: usage(out, thoughts) };
}

/** The whole `GenerateContentResponse` of a plan (`candidateCount` copies of the candidate). */
export function geminiResponse(body: GeminiBody, model: string, p: Planned, responseId = newResponseId()): Json {
  const n = body.generationConfig?.candidateCount ?? 1;
  const base = { usageMetadata: p.usage, modelVersion: model, responseId };
  if (p.blockReason) return { promptFeedback: { blockReason: p.blockReason }, ...base };
  const candidates = Array.from({ length: n }, (_, index) => ({
    ...(p.parts.length > 0 ? { content: { parts: p.parts, role: "model" } } : {}),
    finishReason: p.finishReason,
    index,
  }));
  return { candidates, ...base };
}

/** The stream events of a plan: thoughts, then text in 8-character pieces, function calls in one event. */
export function geminiStreamEvents(body: GeminiBody, model: string, p: Planned): Json[] {
  const whole = geminiResponse(body, model, p);
  if (p.blockReason || p.parts.length === 0) return [whole];
  const { responseId, modelVersion } = whole as { responseId: string; modelVersion: string };
  const pieces: Part[][] = [];
  const calls = p.parts.filter((x) => x.functionCall);
  for (const part of p.parts) {
    if (part.functionCall) continue;
    if (part.thought) pieces.push([part]);
    else for (const t of part.text?.match(/.{1,8}/gs) ?? [""]) pieces.push([{ text: t }]);
  }
  if (calls.length > 0) pieces.push(calls);
  const usage = p.usage as { promptTokenCount: number };
  return pieces.map((parts, i) => {
    const lastEvent = i === pieces.length - 1;
    const candidate = { content: { parts, role: "model" }, ...(lastEvent ? { finishReason: p.finishReason } : {}), index: 0 };
    const interim = { promptTokenCount: usage.promptTokenCount, totalTokenCount: usage.promptTokenCount };
    return { candidates: [candidate], usageMetadata: lastEvent ? p.usage : interim, modelVersion, responseId };
  });
}

/** `{model}` of `/models/{model}:method` (or `tunedModels/...`), under any base path. */
export function geminiModelOf(path: string): string | undefined {
  const m = /\/(models|tunedModels)\/([^/:]+):(?:generateContent|streamGenerateContent|batchEmbedContents)$/.exec(path);
  if (!m) return undefined;
  const id = decodeURIComponent(m[2] as string);
  return m[1] === "models" ? id : `tunedModels/${id}`;
}

function checkKey(ctx: MockContext, url: URL): boolean {
  const key = ctx.req.headers["x-goog-api-key"] ?? url.searchParams.get("key");
  if (!key) {
    const msg =
      "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.";
    sendJson(ctx.res, 403, geminiErrorBody(403, msg));
    return false;
  }
  if (String(key).startsWith("invalid")) {
    const details = [{ "@type": "type.googleapis.com/google.rpc.ErrorInfo", reason: "API_KEY_INVALID", domain: "googleapis.com" }];
    sendJson(ctx.res, 400, geminiErrorBody(400, "API key not valid. Please pass a valid API key.", undefined, details));
    return false;
  }
  return true;
}

async function handle(ctx: MockContext, stream: boolean): Promise<void> {
  const url = new URL(ctx.req.url ?? "/", "http://mock");
  if (!checkKey(ctx, url)) return;
  const model = geminiModelOf(url.pathname) ?? "";
  const body = ctx.body as GeminiBody;
  const invalid = validateGemini(body, model);
  if (invalid) return sendJson(ctx.res, 400, geminiErrorBody(400, invalid));
  const plan = planGeminiReply(body, model, ctx.behavior);
  if (!stream) return sendJson(ctx.res, 200, geminiResponse(body, model, plan), ctx.behavior.headers);
  const inBand = ctx.behavior.errorType;
  const events: Json[] = inBand
    ? [geminiErrorBody(STATUS_OF_NAME[inBand] ?? 500, ctx.behavior.message, inBand)]
    : geminiStreamEvents(body, model, plan);
  if (url.searchParams.get("alt") === "sse") {
    return ctx.writeStream(events.map((e) => `data: ${JSON.stringify(e)}\r\n\r\n`));
  }
  // Without alt=sse Gemini streams one JSON array, element by element.
  const framed = events.map((e, i) => `${i === 0 ? "[" : ",\r\n"}${JSON.stringify(e, null, 2)}`);
  framed.push("]");
  return ctx.writeStream(framed, { "content-type": "application/json; charset=UTF-8" });
}

// ---- embeddings ------------------------------------------------------------------------------

function handleEmbed(ctx: MockContext): void {
  const url = new URL(ctx.req.url ?? "/", "http://mock");
  if (!checkKey(ctx, url)) return;
  const model = geminiModelOf(url.pathname) ?? "";
  const invalid = validateGeminiEmbed(ctx.body, model);
  if (invalid) sendJson(ctx.res, 400, geminiErrorBody(400, invalid));
  else sendJson(ctx.res, 200, geminiEmbedResponse(ctx.body as Parameters<typeof geminiEmbedResponse>[0]), ctx.behavior.headers);
}

export const geminiRoutes: MockRouteEntry[] = [
  { method: "POST", suffix: ":batchEmbedContents", sendError: sendGeminiError, modelOf: geminiModelOf, handle: (ctx) => handleEmbed(ctx) },
  { method: "POST", suffix: ":generateContent", sendError: sendGeminiError, modelOf: geminiModelOf, handle: (ctx) => handle(ctx, false) },
  {
    method: "POST",
    suffix: ":streamGenerateContent",
    sendError: sendGeminiError,
    modelOf: geminiModelOf,
    handle: (ctx) => handle(ctx, true),
  },
];
