import type { ProviderAdapter } from "../adapter.js";
import { anthropicAuth, anthropicPath } from "./api.js";
import { buildAnthropicChatRequest, parseAnthropicChatResponse } from "./chat.js";
import { parseAnthropicError } from "./errors.js";
import { anthropicNativeMessages } from "./messages-native.js";
import { AnthropicStreamTranslator } from "./stream.js";

export {
  ANTHROPIC_VERSION,
  type AnthropicRequest,
  type AnthropicResponse,
  anthropicAuth,
  anthropicPath,
  DEFAULT_MAX_TOKENS,
} from "./api.js";
export { DOCUMENT_TOKENS, estimateInputTokens, IMAGE_TOKENS } from "./count-tokens.js";
export { anthropicErrorType, anthropicStatus, parseAnthropicError, toAnthropicUpstreamError } from "./errors.js";
export { type ToOpenAIRequestResult, toOpenAIRequest } from "./messages-ingress.js";
export { AnthropicPassthroughStream } from "./messages-native.js";
export { OpenAIToAnthropicStream } from "./messages-stream.js";
export { AnthropicStreamTranslator } from "./stream.js";
export { toAnthropicRequest } from "./to-anthropic.js";
export { type AnthropicErrorBody, toAnthropicError, toAnthropicMessage, toAnthropicUsage } from "./to-anthropic-message.js";
export { mapFinishReason, toOpenAICompletion, toOpenAIUsage } from "./to-openai.js";

/**
 * Anthropic's Messages API (`https://api.anthropic.com`, key in `x-api-key`). OpenAI requests are
 * translated both ways; `POST /v1/messages` is passed through natively.
 */
export const anthropicAdapter: ProviderAdapter = {
  type: "anthropic",
  descriptor: {
    type: "anthropic",
    defaultBaseUrl: "https://api.anthropic.com",
    keyRequired: true,
    probePath: (basePath) => anthropicPath(basePath, "/models"),
    authHeaders: anthropicAuth,
    nativeFormats: ["messages"],
    endpoints: ["chat"],
    prefill: "anthropic",
  },
  buildChatRequest: buildAnthropicChatRequest,
  parseChatResponse: (body) => parseAnthropicChatResponse(body),
  createChatStream: (_target, opts) => new AnthropicStreamTranslator(!opts.stripUsage, opts.requestedModel),
  parseError: parseAnthropicError,
  native: { messages: anthropicNativeMessages },
};
