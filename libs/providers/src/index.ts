export * from "./adapter.js";
export * from "./anthropic/index.js";
export * from "./descriptor.js";
export * from "./gemini/index.js";
export { estimateTokens } from "./mock/chat.js";
export * from "./multipart.js";
export {
  bearerAuth,
  buildOpenAIChatRequest,
  createOpenAIBaseAdapter,
  extractUsage,
  normalizeUsage,
  type OpenAIBaseOptions,
  OpenAIStreamTranslator,
  openAIDescriptor,
  openAIHeaders,
  parseOpenAIChatResponse,
  parseOpenAIError,
  postJson,
  toUpstreamError,
} from "./openai-base/index.js";
export * from "./openai-request.js";
export * from "./registry.js";
export * from "./runtime-provider.js";
export * from "./sse.js";
