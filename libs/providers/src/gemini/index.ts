import type { ProviderAdapter } from "../adapter.js";
import { geminiNativeGenerate } from "../gemini-ingress/native.js";
import { geminiAuth, geminiVersionPrefix } from "./api.js";
import { buildGeminiChatRequest, parseGeminiChatResponse } from "./chat.js";
import { geminiEmbeddings } from "./embeddings.js";
import { parseGeminiError } from "./errors.js";
import { GeminiStreamTranslator } from "./stream.js";

export type { GeminiContent, GeminiPart, GeminiRequest, GeminiResponse } from "./api.js";
export { geminiAuth, geminiModelResource, geminiPath, geminiVersionPrefix } from "./api.js";
export type { GeminiBatchEmbedRequest, GeminiBatchEmbedResponse, GeminiEmbedRequest } from "./embeddings.js";
export { geminiEmbeddings, toBase64Float32, toEmbeddingTexts, toGeminiEmbedRequest, toOpenAIEmbeddings } from "./embeddings.js";
export { parseGeminiError, toGeminiUpstreamError } from "./errors.js";
export { GeminiStreamTranslator } from "./stream.js";
export { SKIP_THOUGHT_SIGNATURE, toGeminiContents, toGeminiRequest } from "./to-gemini.js";
export { toGeminiSchema } from "./to-gemini-tools.js";
export { mapFinishReason as mapGeminiFinishReason, toOpenAIUsage as geminiUsageToOpenAI } from "./to-openai.js";

/**
 * Google's Gemini API (`https://generativelanguage.googleapis.com/v1beta`, key in `x-goog-api-key`).
 * OpenAI chat requests and answers are translated both ways, JSON and stream, and `/v1/embeddings`
 * to and from `batchEmbedContents` (see docs/gemini.md).
 */
export const geminiAdapter: ProviderAdapter = {
  type: "gemini",
  descriptor: {
    type: "gemini",
    defaultBaseUrl: "https://generativelanguage.googleapis.com/v1beta",
    keyRequired: true,
    probePath: (basePath) => `${geminiVersionPrefix(basePath)}/models`,
    authHeaders: geminiAuth,
    nativeFormats: ["gemini"],
    endpoints: ["chat", "embeddings"],
  },
  buildChatRequest: buildGeminiChatRequest,
  parseChatResponse: parseGeminiChatResponse,
  createChatStream: (target, opts) => new GeminiStreamTranslator(!opts.stripUsage, target.upstreamModel),
  parseError: parseGeminiError,
  embeddings: geminiEmbeddings,
  native: { gemini: geminiNativeGenerate },
};
