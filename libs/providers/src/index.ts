export * from "./adapter.js";
export * from "./anthropic/index.js";
export { isAzureV1 } from "./azure-openai/index.js";
export * from "./descriptor.js";
export * from "./gemini/index.js";
export * from "./gemini-ingress/index.js";
export { estimateTokens } from "./mock/chat.js";
export * from "./multipart.js";
export { openaiNativeResponses, ResponsesPassthroughStream, responsesUsageToOpenAI } from "./openai/index.js";
export {
  BinaryPassthrough,
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
  speechUsage,
  toUpstreamError,
  transcriptionUsage,
} from "./openai-base/index.js";
export * from "./openai-request.js";
export * from "./prefill.js";
export * from "./probe.js";
export * from "./registry.js";
export { cohereRerank, jinaRerank, voyageRerank } from "./rerank/formats.js";
export * from "./responses/index.js";
export * from "./runtime-provider.js";
export * from "./sse.js";
export { describeTransportFailure } from "./transport/describe-failure.js";
export { bypassesProxy, proxyFor, redactUrl } from "./transport/egress-proxy.js";
export { type TlsConnectOptions, type TlsSettings, tlsConnectOptions } from "./transport/tls-context.js";
export { TransportConfigError } from "./transport/transport-error.js";
export {
  createUpstreamTransport,
  H2_STREAMS_PER_CONNECTION,
  type TransportOptions,
  type TransportProvider,
  transportKey,
  transportWarnings,
  type UpstreamTransport,
} from "./transport/upstream-dispatcher.js";
