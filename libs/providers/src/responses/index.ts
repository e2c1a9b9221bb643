export {
  chatToResponse,
  functionCallItem,
  messageItem,
  type ResponseContext,
  reasoningItem,
  responseObject,
  responsesId,
  statusOf,
  toResponsesUsage,
} from "./from-chat.js";
export { type ToolName, ToolNames } from "./names.js";
export { createReasoningSealer, type ReasoningSealer, type SealedReasoning } from "./seal.js";
export { ResponsesStreamEncoder } from "./stream.js";
export { type ResponsesChatForm, responsesToChat, type ToChatOptions } from "./to-chat.js";
