import { RouterError } from "@ai-router/errors";
import type { ParsedResponse, PassthroughEndpoint, TargetContext, UpstreamRequest } from "../adapter.js";
import { estimateTokens } from "../mock/chat.js";
import { geminiHeaders, geminiModelResource, geminiPath } from "./api.js";

/** One item of Gemini's `batchEmbedContents` request (`EmbedContentRequest`). */
export interface GeminiEmbedRequest {
  /** `models/{id}`: must name the model of the URL. */
  model: string;
  content: { parts: { text: string }[] };
  taskType?: string;
  outputDimensionality?: number;
}

/** `POST /models/{model}:batchEmbedContents` request body. */
export interface GeminiBatchEmbedRequest {
  requests: GeminiEmbedRequest[];
}

/** `BatchEmbedContentsResponse`: one embedding per request, in request order. */
export interface GeminiBatchEmbedResponse {
  embeddings?: { values?: number[] }[];
}

/** OpenAI's embeddings fields the translation reads (the body was validated by the proxy). */
interface OpenAIEmbeddingsFields {
  input?: unknown;
  dimensions?: unknown;
  encoding_format?: unknown;
}

/**
 * OpenAI `input` -> the texts to embed. A string or a list of strings; token arrays cannot be carried
 * (Gemini takes text only), which is the client's error: a 400 naming `input`, never a failover.
 */
export function toEmbeddingTexts(input: unknown): string[] {
  if (typeof input === "string") return [input];
  if (Array.isArray(input) && input.length > 0 && input.every((x) => typeof x === "string")) return input as string[];
  throw new RouterError(
    "invalid_request",
    "This model is served by Gemini, which embeds text only: 'input' must be a string or an array of strings, not token arrays.",
    { param: "input" },
  );
}

/** OpenAI embeddings request (target defaults merged under it) -> Gemini `batchEmbedContents` body. */
export function toGeminiEmbedRequest(req: OpenAIEmbeddingsFields, upstreamModel: string): GeminiBatchEmbedRequest {
  const model = geminiModelResource(upstreamModel);
  const dims = typeof req.dimensions === "number" ? req.dimensions : undefined;
  return {
    requests: toEmbeddingTexts(req.input).map((text) => {
      const r: GeminiEmbedRequest = { model, content: { parts: [{ text }] } };
      if (dims !== undefined) r.outputDimensionality = dims;
      return r;
    }),
  };
}

/** Floats -> base64 of their little-endian float32 bytes, what OpenAI sends for `encoding_format: "base64"`. */
export function toBase64Float32(values: readonly number[]): string {
  const buf = Buffer.allocUnsafe(values.length * 4);
  for (let i = 0; i < values.length; i++) buf.writeFloatLE(values[i] as number, i * 4);
  return buf.toString("base64");
}

/**
 * Gemini `BatchEmbedContentsResponse` -> OpenAI `{object: "list", data, model, usage}`. `data[i].index`
 * is the position of the input (Gemini answers in request order). Gemini reports no tokens for a batch,
 * so `prompt_tokens` is estimated from the input text (about 4 characters a token, as elsewhere).
 */
export function toOpenAIEmbeddings(resp: GeminiBatchEmbedResponse, req: OpenAIEmbeddingsFields, model: string): ParsedResponse {
  const texts = toEmbeddingTexts(req.input);
  const list = resp.embeddings;
  if (!Array.isArray(list) || list.length !== texts.length) {
    throw new Error(`Gemini answered ${Array.isArray(list) ? list.length : "no"} embeddings for ${texts.length} inputs`);
  }
  const base64 = req.encoding_format === "base64";
  const data = list.map((e, index) => {
    const values = e?.values ?? [];
    return { object: "embedding", index, embedding: base64 ? toBase64Float32(values) : values };
  });
  let tokens = 0;
  for (const t of texts) tokens += estimateTokens(t);
  const usage = { prompt_tokens: tokens, completion_tokens: 0, total_tokens: tokens };
  const body = JSON.stringify({ object: "list", data, model, usage: { prompt_tokens: tokens, total_tokens: tokens } });
  return { body, usage };
}

/** `/v1/embeddings` on Gemini: OpenAI's request and answer translated to and from `batchEmbedContents`. */
export const geminiEmbeddings: PassthroughEndpoint = {
  build(body: Record<string, unknown>, target: TargetContext): UpstreamRequest {
    const merged = Object.assign({}, target.params, body) as OpenAIEmbeddingsFields;
    return {
      method: "POST",
      path: geminiPath(target.provider.basePath, target.upstreamModel, "batchEmbedContents"),
      headers: geminiHeaders(target, false),
      body: JSON.stringify(toGeminiEmbedRequest(merged, target.upstreamModel)),
    };
  },
  parse(body: Buffer, request: Record<string, unknown>, target: TargetContext): ParsedResponse {
    const merged = Object.assign({}, target.params, request) as OpenAIEmbeddingsFields;
    return toOpenAIEmbeddings(JSON.parse(body.toString("utf8")) as GeminiBatchEmbedResponse, merged, target.upstreamModel);
  },
};
