import type { LlmType } from "@ai-router/contracts";

/** Where a model of each kind is served: named in the 400 a model of the wrong kind gets. */
export const ENDPOINT_OF_TYPE: Readonly<Record<LlmType, string>> = {
  chat: "POST /v1/chat/completions (or /v1/messages, /v1/responses)",
  embedding: "POST /v1/embeddings",
  image: "POST /v1/images/generations",
  transcription: "POST /v1/audio/transcriptions (or /v1/audio/translations)",
  speech: "POST /v1/audio/speech",
  moderation: "POST /v1/moderations",
  rerank: "POST /v1/rerank (or /v2/rerank)",
  completion: "POST /v1/completions",
  realtime: "GET /v1/realtime (WebSocket)",
};
