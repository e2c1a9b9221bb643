import type { TargetContext, UpstreamRequest } from "../adapter.js";
import type { AuthInput } from "../descriptor.js";

/**
 * Wire shapes of Google's Gemini API (`generativelanguage.googleapis.com/v1beta`), as far as the
 * translations read or write them. Field names are the REST (camelCase) ones.
 */
export interface GeminiBlob {
  mimeType: string;
  data: string;
}

export interface GeminiFunctionCall {
  name: string;
  args?: Record<string, unknown>;
  /** Set by some models; we do not carry it (see docs/gemini.md). */
  id?: string;
}

export interface GeminiFunctionResponse {
  name: string;
  response: Record<string, unknown>;
  id?: string;
}

/** One part: exactly one data field (`text`, `inlineData`, ...) plus optional flags. */
export interface GeminiPart {
  text?: string;
  inlineData?: GeminiBlob;
  fileData?: { mimeType?: string; fileUri: string };
  functionCall?: GeminiFunctionCall;
  functionResponse?: GeminiFunctionResponse;
  /** A thought summary (only with `thinkingConfig.includeThoughts`). */
  thought?: boolean;
  /** Opaque reasoning state; Gemini 3 requires it back on the function calls of the history. */
  thoughtSignature?: string;
  [k: string]: unknown;
}

export interface GeminiContent {
  role: "user" | "model";
  parts: GeminiPart[];
}

export interface GeminiFunctionDeclaration {
  name: string;
  description?: string;
  parameters?: Record<string, unknown>;
}

export interface GeminiToolConfig {
  functionCallingConfig: { mode: "AUTO" | "ANY" | "NONE"; allowedFunctionNames?: string[] };
}

export interface GeminiThinkingConfig {
  includeThoughts?: boolean;
  thinkingBudget?: number;
  thinkingLevel?: "minimal" | "low" | "medium" | "high";
}

export interface GeminiGenerationConfig {
  temperature?: number;
  topP?: number;
  topK?: number;
  maxOutputTokens?: number;
  stopSequences?: string[];
  candidateCount?: number;
  seed?: number;
  presencePenalty?: number;
  frequencyPenalty?: number;
  responseMimeType?: string;
  responseJsonSchema?: Record<string, unknown>;
  thinkingConfig?: GeminiThinkingConfig;
}

/** `POST /models/{model}:generateContent` (and `:streamGenerateContent`) request body. */
export interface GeminiRequest {
  contents: GeminiContent[];
  systemInstruction?: { parts: GeminiPart[] };
  tools?: { functionDeclarations: GeminiFunctionDeclaration[] }[];
  toolConfig?: GeminiToolConfig;
  generationConfig?: GeminiGenerationConfig;
}

export interface GeminiUsageMetadata {
  promptTokenCount?: number;
  candidatesTokenCount?: number;
  totalTokenCount?: number;
  cachedContentTokenCount?: number;
  thoughtsTokenCount?: number;
  toolUsePromptTokenCount?: number;
}

export interface GeminiCandidate {
  content?: { role?: string; parts?: GeminiPart[] };
  finishReason?: string;
  index?: number;
}

/** `GenerateContentResponse`: the whole answer, or one event of a stream. */
export interface GeminiResponse {
  candidates?: GeminiCandidate[];
  promptFeedback?: { blockReason?: string };
  usageMetadata?: GeminiUsageMetadata;
  modelVersion?: string;
  responseId?: string;
}

/**
 * Path of a model method under the provider's base. The default base ends in `/v1beta`; a base with
 * no version (a bare host or a gateway prefix) gets `/v1beta`. `models/` in the model id is optional;
 * `tunedModels/...` ids are used as they are.
 */
export function geminiPath(
  basePath: string,
  model: string,
  method: "generateContent" | "streamGenerateContent" | "batchEmbedContents",
): string {
  const version = geminiVersionPrefix(basePath);
  const query = method === "streamGenerateContent" ? "?alt=sse" : "";
  return `${version}/${geminiModelResource(model).split("/").map(encodeURIComponent).join("/")}:${method}${query}`;
}

/** `/v1beta` unless the base URL already names an API version (`.../v1`, `.../v1beta`, `.../v1alpha`). */
export function geminiVersionPrefix(basePath: string): string {
  return /\/v1(alpha|beta)?\d*$/.test(basePath) ? "" : "/v1beta";
}

/** The model's resource name (`models/{id}`, or a `tunedModels/...` id as it is). */
export function geminiModelResource(model: string): string {
  return model.startsWith("models/") || model.startsWith("tunedModels/") ? model : `models/${model}`;
}

/** Headers of every Gemini request: the key in `x-goog-api-key` (never in the URL, where logs keep it). */
export function geminiHeaders(target: TargetContext, stream: boolean): Record<string, string> {
  const h: Record<string, string> = { "content-type": "application/json", accept: stream ? "text/event-stream" : "application/json" };
  return Object.assign(h, geminiAuth({ headers: target.provider.headers, apiKey: target.apiKey }));
}

/** Gemini's authentication: the provider's extra headers and the key in `x-goog-api-key`. */
export function geminiAuth(auth: AuthInput): Record<string, string> {
  const h: Record<string, string> = Object.assign({}, auth.headers);
  if (auth.apiKey) h["x-goog-api-key"] = auth.apiKey;
  return h;
}

export function postGemini(body: string, target: TargetContext, stream: boolean): UpstreamRequest {
  return {
    method: "POST",
    path: geminiPath(target.provider.basePath, target.upstreamModel, stream ? "streamGenerateContent" : "generateContent"),
    headers: geminiHeaders(target, stream),
    body,
  };
}
