export { chatToGemini, toGeminiFinishReason, toGeminiUsage } from "./from-chat.js";
export { GeminiPassthroughStream, geminiNativeGenerate } from "./native.js";
export { GeminiStreamEncoder } from "./stream.js";
export { effortOf, fromGeminiSchema, type GeminiIngressRequest, geminiToChat } from "./to-chat.js";
