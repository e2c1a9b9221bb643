import { randomBytes } from "node:crypto";
import type { ServerResponse } from "node:http";
import type { MockBehavior } from "./behavior.js";
import type { MockContext, MockRouteEntry } from "./server.js";

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

type Json = Record<string, unknown>;
interface Part {
  text?: string;
  thought?: boolean;
  thoughtSignature?: string;
  functionCall?: { name: string; args?: Json };
  functionResponse?: { name: string; response: Json };
  [k: string]: unknown;
}
interface Content {
  role?: string;
  parts?: Part[];
}
interface Declaration {
  name: string;
  parameters?: Json;
}
export interface GeminiBody {
  contents?: Content[];
  systemInstruction?: Content;
  tools?: { functionDeclarations?: Declaration[] }[];
  toolConfig?: { functionCallingConfig?: { mode?: string; allowedFunctionNames?: string[] } };
  generationConfig?: {
    maxOutputTokens?: number;
    candidateCount?: number;
    responseMimeType?: string;
    thinkingConfig?: { includeThoughts?: boolean; thinkingBudget?: number; thinkingLevel?: string };
    [k: string]: unknown;
  };
}

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
const snake = (s: string) => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const fields = (...names: string[]) => new Set(names.flatMap((n) => [n, snake(n)]));
const REQUEST_FIELDS = fields(
  "contents",
  "systemInstruction",
  "tools",
  "toolConfig",
  "generationConfig",
  "safetySettings",
  "cachedContent",
);
const DATA_FIELDS = ["text", "inlineData", "fileData", "functionCall", "functionResponse", "executableCode", "codeExecutionResult"];
const PART_FIELDS = fields(...DATA_FIELDS, "thought", "thoughtSignature", "videoMetadata", "mediaResolution");
const CONFIG_FIELDS = fields(
  "temperature",
  "topP",
  "topK",
  "maxOutputTokens",
  "stopSequences",
  "candidateCount",
  "seed",
  "presencePenalty",
  "frequencyPenalty",
  "responseMimeType",
  "responseSchema",
  "responseJsonSchema",
  "responseModalities",
  "responseLogprobs",
  "logprobs",
  "thinkingConfig",
  "mediaResolution",
  "speechConfig",
);
const SCHEMA_FIELDS = fields(
  "type",
  "format",
  "title",
  "description",
  "nullable",
  "enum",
  "maxItems",
  "minItems",
  "properties",
  "required",
  "minProperties",
  "maxProperties",
  "minLength",
  "maxLength",
  "pattern",
  "example",
  "anyOf",
  "propertyOrdering",
  "default",
  "items",
  "minimum",
  "maximum",
);
const DUMMY_SIGNATURES = new Set(["skip_thought_signature_validator", "context_engineering_is_the_way_to_go"]);

const isObj = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const unknownName = (obj: Json, allowed: Set<string>, at?: string): string | undefined => {
  const bad = Object.keys(obj).find((k) => !allowed.has(k));
  return bad ? `Invalid JSON payload received. Unknown name "${bad}"${at ? ` at '${at}'` : ""}: Cannot find field.` : undefined;
};
const fieldError = (path: string, msg: string) => `* GenerateContentRequest.${path}: ${msg}\n`;

function validateSchema(s: unknown, at: string): string | undefined {
  if (!isObj(s)) return undefined;
  const bad = unknownName(s, SCHEMA_FIELDS, at);
  if (bad) return bad;
  if (String(s.type).toUpperCase() === "OBJECT" && isObj(s.properties) && Object.keys(s.properties).length === 0) {
    return fieldError(`${at}.properties`, "should be non-empty for OBJECT type");
  }
  for (const [k, v] of Object.entries(isObj(s.properties) ? s.properties : {})) {
    const e = validateSchema(v, `${at}.properties[${k}].value`);
    if (e) return e;
  }
  return validateSchema(s.items, `${at}.items`);
}

/** The checks Gemini makes before generating; returns the 400 message, or undefined when valid. */
export function validateGemini(body: GeminiBody, model: string): string | undefined {
  if (!isObj(body as unknown)) return "Invalid JSON payload received. Expected an object.";
  const unknown = unknownName(body as Json, REQUEST_FIELDS);
  if (unknown) return unknown;
  const contents = body.contents;
  if (!Array.isArray(contents) || contents.length === 0) return fieldError("contents", "contents is not specified");
  for (let i = 0; i < contents.length; i++) {
    const c = contents[i] as Content;
    if (c.role !== undefined && c.role !== "user" && c.role !== "model") return "Please use a valid role: user, model.";
    if (!Array.isArray(c.parts) || c.parts.length === 0) return fieldError(`contents[${i}].parts`, "contents.parts must not be empty.");
    for (let j = 0; j < c.parts.length; j++) {
      const p = c.parts[j] as Part;
      const at = `contents[${i}].parts[${j}]`;
      const bad = unknownName(p, PART_FIELDS, at);
      if (bad) return bad;
      const data = DATA_FIELDS.filter((f) => p[f] !== undefined || p[snake(f)] !== undefined);
      if (data.length === 0) return fieldError(`${at}.data`, "required oneof field 'data' must have one initialized field");
      if (data.length > 1) return fieldError(`${at}.data`, "oneof field 'data' is already set. Cannot set '" + data[1] + "'");
      if (p.functionCall && (!p.functionCall.name || (p.functionCall.args !== undefined && !isObj(p.functionCall.args)))) {
        return fieldError(`${at}.function_call`, "name and an args object are required");
      }
      if (p.functionResponse && (!p.functionResponse.name || !isObj(p.functionResponse.response))) {
        return `Invalid value at '${at}.function_response.response' (type.googleapis.com/google.protobuf.Struct)`;
      }
    }
    const calls = c.parts.filter((p) => p.functionCall);
    if (c.role === "model" && calls.length > 0) {
      const prev = contents[i - 1];
      if (!prev || prev.role === "model") {
        return "Please ensure that function call turn comes immediately after a user turn or after a function response turn.";
      }
      const next = contents[i + 1];
      const answered = next?.parts?.filter((p) => p.functionResponse).length ?? 0;
      if (next && answered !== calls.length) {
        return "Please ensure that the number of function response parts is equal to the number of function call parts of the function call turn.";
      }
      const signature = calls[0]?.thoughtSignature;
      if (/gemini-[3-9]/.test(model) && !(signature && (signature.startsWith("sig_") || DUMMY_SIGNATURES.has(signature)))) {
        return `Function call \`${calls[0]?.functionCall?.name}\` in the \`${i}.\` content block is missing a \`thought_signature\`.`;
      }
    }
  }
  const declared = new Set<string>();
  for (const [i, t] of (body.tools ?? []).entries()) {
    for (const [j, d] of (t.functionDeclarations ?? []).entries()) {
      if (!/^[a-zA-Z_][a-zA-Z0-9_.:-]{0,63}$/.test(String(d.name))) {
        return fieldError(`tools[${i}].function_declarations[${j}].name`, "Invalid function name.");
      }
      declared.add(d.name);
      const e = validateSchema(d.parameters, `tools[${i}].function_declarations[${j}].parameters`);
      if (e) return e;
    }
  }
  const fcc = body.toolConfig?.functionCallingConfig;
  if (fcc) {
    if (fcc.mode !== undefined && !["AUTO", "ANY", "NONE", "VALIDATED", "MODE_UNSPECIFIED"].includes(fcc.mode)) {
      return `Invalid value at 'tool_config.function_calling_config.mode' (type.googleapis.com/google.ai.generativelanguage.v1beta.FunctionCallingConfig.Mode), "${fcc.mode}"`;
    }
    if (fcc.allowedFunctionNames?.length && fcc.mode !== "ANY" && fcc.mode !== "VALIDATED") {
      return fieldError("tool_config.function_calling_config.allowed_function_names", "only allowed when mode is ANY.");
    }
    const missing = fcc.allowedFunctionNames?.find((n) => !declared.has(n));
    if (missing) return fieldError("tool_config.function_calling_config.allowed_function_names", `function ${missing} is not declared.`);
  }
  const g = body.generationConfig;
  if (g) {
    const bad = unknownName(g as Json, CONFIG_FIELDS, "generation_config");
    if (bad) return bad;
    if (Array.isArray(g.stopSequences) && g.stopSequences.length > 5)
      return fieldError("generation_config.stop_sequences", "at most 5 allowed.");
    if (g.responseSchema !== undefined && g.responseJsonSchema !== undefined) {
      return fieldError("generation_config.response_json_schema", "responseJsonSchema and responseSchema cannot both be set.");
    }
    if ((g.responseSchema !== undefined || g.responseJsonSchema !== undefined) && g.responseMimeType !== "application/json") {
      return fieldError("generation_config.response_mime_type", "a response schema requires response_mime_type application/json.");
    }
    const th = g.thinkingConfig;
    if (th?.thinkingBudget !== undefined && th.thinkingLevel !== undefined) {
      return "You can only set only one of thinking budget and thinking level.";
    }
    if (th?.thinkingLevel !== undefined && !/gemini-[3-9]/.test(model)) return "Thinking level is not supported for this model.";
  }
  return undefined;
}

// ---- answers ----------------------------------------------------------------------------------

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

const EMBED_FIELDS = fields("model", "content", "taskType", "title", "outputDimensionality");
const TASK_TYPES = new Set([
  "TASK_TYPE_UNSPECIFIED",
  "RETRIEVAL_QUERY",
  "RETRIEVAL_DOCUMENT",
  "SEMANTIC_SIMILARITY",
  "CLASSIFICATION",
  "CLUSTERING",
  "QUESTION_ANSWERING",
  "FACT_VERIFICATION",
  "CODE_RETRIEVAL_QUERY",
]);
/** Dimensions of an answer without `outputDimensionality` (gemini-embedding-001's default). */
export const GEMINI_EMBEDDING_DIMENSIONS = 3072;

/**
 * The mock's embedding of a text: deterministic (same text, same vector), float32-exact values so
 * that a base64 float32 encoding decodes to the very same numbers, `dims` long.
 */
export function geminiMockVector(text: string, dims = GEMINI_EMBEDDING_DIMENSIONS): number[] {
  let seed = 2166136261;
  for (let i = 0; i < text.length; i++) seed = Math.imul(seed ^ text.charCodeAt(i), 16777619) >>> 0;
  return Array.from({ length: dims }, (_, i) => Math.fround(Math.sin(seed + i * 0.7)));
}

/** Why Gemini would refuse a `batchEmbedContents` body for `model` (the id in the URL), if it would. */
export function validateGeminiEmbed(body: unknown, model: string): string | undefined {
  const b = body as { requests?: unknown } | null;
  if (!b || typeof b !== "object") return "Invalid JSON payload received.";
  for (const k of Object.keys(b)) if (k !== "requests") return `Invalid JSON payload received. Unknown name "${k}": Cannot find field.`;
  if (!Array.isArray(b.requests) || b.requests.length === 0)
    return "* BatchEmbedContentsRequest.requests: at least one request is required";
  if (b.requests.length > 100) return "* BatchEmbedContentsRequest.requests: at most 100 requests can be in one batch";
  for (const [i, r] of (b.requests as Json[]).entries()) {
    const at = `requests[${i}]`;
    for (const k of Object.keys(r)) {
      if (!EMBED_FIELDS.has(k)) return `Invalid JSON payload received. Unknown name "${k}" at '${at}': Cannot find field.`;
    }
    if (r.model !== `models/${model}`) {
      return `* BatchEmbedContentsRequest.${at}.model: Model name in the request must match the model in the URL (models/${model}).`;
    }
    const parts = (r.content as Content | undefined)?.parts;
    if (!Array.isArray(parts) || parts.length === 0)
      return `* BatchEmbedContentsRequest.${at}.content.parts: contents.parts must not be empty.`;
    if (parts.some((p) => typeof p.text !== "string"))
      return `* BatchEmbedContentsRequest.${at}.content.parts: only text parts can be embedded.`;
    const d = r.outputDimensionality;
    if (d !== undefined && (!Number.isInteger(d) || (d as number) < 1 || (d as number) > GEMINI_EMBEDDING_DIMENSIONS)) {
      return `* BatchEmbedContentsRequest.${at}.output_dimensionality: must be between 1 and ${GEMINI_EMBEDDING_DIMENSIONS}.`;
    }
    if (r.taskType !== undefined && !TASK_TYPES.has(r.taskType as string)) {
      return `Invalid value at '${at}.task_type' (type.googleapis.com/google.ai.generativelanguage.v1beta.TaskType), "${String(r.taskType)}"`;
    }
  }
  return undefined;
}

/** `BatchEmbedContentsResponse` for a valid body: one `{values}` per request, in order (no usage: Gemini sends none). */
export function geminiEmbedResponse(body: { requests: { content: { parts: { text: string }[] }; outputDimensionality?: number }[] }) {
  return {
    embeddings: body.requests.map((r) => ({
      values: geminiMockVector(r.content.parts.map((p) => p.text).join(""), r.outputDimensionality),
    })),
  };
}

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
