import type { ReasoningSealer } from "@ai-router/providers";
import { audioFormEndpoints } from "../handlers/model-api/audio-forms.js";
import { countTokensEndpoint } from "../handlers/model-api/count-tokens.js";
import { imageEndpoints } from "../handlers/model-api/images.js";
import { sendAnthropicError } from "../handlers/model-api/messages-errors.js";
import { handleGetModel, handleListModels, handleModelCacheStats } from "../handlers/model-api/models.js";
import { embeddingsEndpoint, imageGenerationsEndpoint } from "../handlers/model-api/passthrough.js";
import { routedJsonEndpoints } from "../handlers/model-api/routed-json.js";
import { chatCompletionsIngress } from "../ingress/chat-completions.js";
import { geminiEndpoints } from "../ingress/gemini.js";
import { ingressHandler } from "../ingress/ingress.js";
import { messagesIngress } from "../ingress/messages.js";
import { responsesIngress } from "../ingress/responses.js";
import { storedResponseEndpoints } from "../responses/routes.js";
import type { ResponseStore } from "../responses/store.js";
import type { Endpoint } from "./endpoint.js";

/**
 * The model API, one declaration per endpoint: the chat ingresses (OpenAI chat, Anthropic messages,
 * OpenAI responses, Gemini), token counting, embeddings, images, and the model lists. Each names how its
 * body is read, the model kind it serves, the provider endpoint it needs and its usage record.
 */
export function modelEndpoints(responses: ResponseStore, sealer: ReasoningSealer): Endpoint[] {
  return [
    {
      method: "POST",
      path: "/v1/chat/completions",
      auth: true,
      body: "raw",
      llmType: "chat",
      serves: "chat",
      answers: ["json", "sse"],
      usage: { ingress: "openai-chat", endpoint: "chat.completions", estimate: "chat" },
      handle: ingressHandler(chatCompletionsIngress),
    },
    {
      method: "POST",
      path: "/v1/messages",
      auth: true,
      body: "raw",
      llmType: "chat",
      serves: "chat",
      answers: ["json", "sse"],
      usage: { ingress: "anthropic-messages", endpoint: "messages", estimate: "chat" },
      sendError: sendAnthropicError,
      handle: ingressHandler(messagesIngress),
    },
    countTokensEndpoint(),
    {
      method: "POST",
      path: "/v1/responses",
      auth: true,
      body: "raw",
      llmType: "chat",
      serves: "chat",
      answers: ["json", "sse"],
      usage: { ingress: "openai-responses", endpoint: "responses", estimate: "chat" },
      handle: ingressHandler(responsesIngress({ store: responses, sealer })),
    },
    ...storedResponseEndpoints(responses),
    embeddingsEndpoint(),
    imageGenerationsEndpoint(),
    ...imageEndpoints(),
    ...routedJsonEndpoints(),
    ...audioFormEndpoints(),
    { method: "GET", path: "/v1/models", auth: true, handle: handleListModels },
    { method: "GET", path: "/v1/models/cache/stats", auth: true, handle: handleModelCacheStats },
    { method: "GET", path: "/v1/models/*", auth: true, handle: handleGetModel },
    ...geminiEndpoints(),
  ];
}
