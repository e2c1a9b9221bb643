import {
  ChatCompletionRequest,
  CompletionRequest,
  EmbeddingsRequest,
  ImageGenerationRequest,
  ModerationRequest,
  RerankRequest,
  SpeechRequest,
} from "@ai-router/contracts";
import type { z } from "zod";
import { CreateBatch } from "../batches/batches-endpoints.js";
import { CreateFineTune } from "../fine-tuning/ft-endpoints.js";
import { MessagesRequest } from "../handlers/model-api/messages-schema.js";
import { VersionInfo } from "../versions/version.js";
import { ClientSecretRequest } from "../websocket/client-secrets.js";

/** One operation of the proxy's OpenAPI document. */
export type Op = {
  summary: string;
  tag: string;
  body?: z.ZodType;
  /** Query parameters: name -> description. */
  query?: Record<string, string>;
  /** Path parameters. */
  params?: string[];
  admin?: boolean;
  errors?: number[];
  stream?: boolean;
  /** The 200 body's schema. */
  response?: z.ZodType;
  /** Answers without a client key. */
  open?: boolean;
  /** Deprecated (RFC 9745 headers; docs/api-versions.md names the successor). */
  deprecated?: boolean;
};

/**
 * The proxy's own endpoints (the data plane and the original's views). Paths with `admin: true` take
 * `Authorization: Bearer <server.admin_token>` in standalone mode; the others take a client key when
 * the config has `keys`.
 */
export const PROXY_OPERATIONS: Record<string, Record<string, Op>> = {
  "/v1/chat/completions": {
    post: {
      summary: "OpenAI chat completion (JSON or SSE stream), routed and failed over",
      tag: "inference",
      body: ChatCompletionRequest,
      stream: true,
      errors: [400, 401, 403, 404, 413, 429, 502, 503],
    },
  },
  "/v1/messages": {
    post: {
      summary: "Anthropic Messages (JSON or event stream), native or translated",
      tag: "inference",
      body: MessagesRequest,
      stream: true,
      errors: [400, 401, 404, 429, 502, 503],
    },
  },
  "/v1/messages/count_tokens": { post: { summary: "Anthropic token count", tag: "inference", body: MessagesRequest } },
  // The WebSocket endpoints (GET /v1/responses and /v1/realtime upgraded) are described in docs/websocket.md.
  "/v1/realtime/client_secrets": {
    post: {
      summary: "A short-lived realtime token for browser clients, standing for the calling key",
      tag: "inference",
      body: ClientSecretRequest,
    },
  },
  "/v1/embeddings": { post: { summary: "Embeddings", tag: "inference", body: EmbeddingsRequest, errors: [400, 404, 502, 503] } },
  "/v1/images/generations": { post: { summary: "Image generation", tag: "inference", body: ImageGenerationRequest } },
  "/v1/images/edits": { post: { summary: "Image edit (multipart/form-data, or JSON with base64 images)", tag: "inference" } },
  "/v1/images/variations": { post: { summary: "Image variation (multipart/form-data, or JSON with base64 images)", tag: "inference" } },
  "/v1/files": {
    post: {
      summary: "Upload a file (multipart: file, purpose), streamed; JSONL checked line by line",
      tag: "files",
      errors: [400, 413, 415],
    },
    get: {
      summary: "This key's files",
      tag: "files",
      query: { purpose: "Only this purpose", after: "Cursor (a file id)", limit: "1-10000", order: "asc | desc" },
    },
  },
  "/v1/files/{file_id}": {
    get: { summary: "One file of this key", tag: "files", params: ["file_id"], errors: [404] },
    delete: { summary: "Delete a file of this key", tag: "files", params: ["file_id"], errors: [404] },
  },
  "/v1/files/{file_id}/content": { get: { summary: "A file's bytes, streamed", tag: "files", params: ["file_id"], errors: [404] } },
  "/v1/uploads": {
    post: { summary: "Start a file sent in parts (filename, purpose, bytes, mime_type)", tag: "files", errors: [400, 413] },
  },
  "/v1/uploads/{upload_id}/parts": {
    post: { summary: "Add a part (multipart `data`, up to 64 MB)", tag: "files", params: ["upload_id"], errors: [400, 404] },
  },
  "/v1/uploads/{upload_id}/complete": {
    post: { summary: "Join the parts (`part_ids`, in order) into one file", tag: "files", params: ["upload_id"], errors: [400, 404] },
  },
  "/v1/uploads/{upload_id}/cancel": { post: { summary: "Cancel an upload", tag: "files", params: ["upload_id"], errors: [404] } },
  "/v1/batches": {
    post: { summary: "Create a batch from a `batch` file (run by the router)", tag: "batches", body: CreateBatch, errors: [400] },
    get: {
      summary: "This key's batches, newest first",
      tag: "batches",
      query: { after: "Cursor (a batch id)", limit: "1-100, default 20" },
    },
  },
  "/v1/batches/{batch_id}": { get: { summary: "One batch of this key", tag: "batches", params: ["batch_id"], errors: [404] } },
  "/v1/batches/{batch_id}/cancel": {
    post: { summary: "Cancel a batch (lines in flight finish)", tag: "batches", params: ["batch_id"], errors: [404, 409] },
  },
  "/v1/fine_tuning/jobs": {
    post: {
      summary: "Create a fine-tuning job at the provider serving the model",
      tag: "fine-tuning",
      body: CreateFineTune,
      errors: [400, 404],
    },
    get: { summary: "This key's fine-tuning jobs", tag: "fine-tuning", query: { after: "Cursor (a job id)", limit: "1-100, default 20" } },
  },
  "/v1/fine_tuning/jobs/{fine_tuning_job_id}": {
    get: { summary: "One job, as the provider reports it now", tag: "fine-tuning", params: ["fine_tuning_job_id"], errors: [404] },
  },
  "/v1/fine_tuning/jobs/{fine_tuning_job_id}/events": {
    get: { summary: "A job's events", tag: "fine-tuning", params: ["fine_tuning_job_id"], errors: [404] },
  },
  "/v1/fine_tuning/jobs/{fine_tuning_job_id}/checkpoints": {
    get: { summary: "A job's checkpoints", tag: "fine-tuning", params: ["fine_tuning_job_id"], errors: [404] },
  },
  "/v1/fine_tuning/jobs/{fine_tuning_job_id}/cancel": {
    post: { summary: "Cancel a job", tag: "fine-tuning", params: ["fine_tuning_job_id"], errors: [404] },
  },
  "/v1/images/models": { get: { summary: "Image models", tag: "models" } },
  "/v1/audio/transcriptions": {
    post: {
      summary: "Audio transcription (multipart/form-data, streamed to the upstream)",
      tag: "inference",
      stream: true,
      errors: [400, 404, 413, 429, 502, 503],
    },
  },
  "/v1/audio/translations": {
    post: { summary: "Audio translation to English (multipart/form-data)", tag: "inference", errors: [400, 404, 413, 429, 502, 503] },
  },
  "/v1/audio/speech": {
    post: {
      summary: "Speech: audio bytes relayed as they arrive",
      tag: "inference",
      body: SpeechRequest,
      errors: [400, 404, 429, 502, 503],
    },
  },
  "/v1/moderations": { post: { summary: "Moderations", tag: "inference", body: ModerationRequest, errors: [400, 404, 429, 502, 503] } },
  "/v1/completions": {
    post: {
      summary: "Legacy text completions, with suffix (FIM)",
      tag: "inference",
      body: CompletionRequest,
      stream: true,
      errors: [400, 404, 429, 502, 503],
    },
  },
  "/v1/rerank": {
    post: { summary: "Rerank (Jina's and Cohere's shape)", tag: "inference", body: RerankRequest, errors: [400, 404, 429, 502, 503] },
  },
  "/v2/rerank": { post: { summary: "Rerank at Cohere's path", tag: "inference", body: RerankRequest, errors: [400, 404, 429, 502, 503] } },
  "/v1/models": {
    get: {
      summary: "Models this key may use (OpenAI list plus the original's fields and capabilities)",
      tag: "models",
      query: { capability: "Only models with this capability (repeatable); `capabilities=A,B` also works" },
    },
  },
  "/v1/models/{model}": { get: { summary: "One model", tag: "models", params: ["model"], errors: [404] } },
  "/v1/models/{model}/capabilities": { get: { summary: "A model's capabilities", tag: "models", params: ["model"], errors: [404] } },
  "/v1/models/capabilities": { get: { summary: "Every model's capabilities", tag: "models" } },
  "/v1/models/cache/stats": { get: { summary: "Model lookups answered by the routing table (hits, misses)", tag: "models" } },
  "/v1/models/clear-cache": {
    post: { summary: "Reload router.yaml and rebuild the routing table", tag: "admin", admin: true, errors: [403] },
  },
  "/v1/stats": { get: { summary: "Request, failure, token and cost counters per model", tag: "stats" } },
  "/v1/stats/refresh": {
    post: {
      summary: "Reload router.yaml now (a bad file is a 400; the last good table keeps serving)",
      tag: "admin",
      admin: true,
      errors: [403],
    },
  },
  "/v1/stats/reset": { post: { summary: "Zero the counters", tag: "admin", admin: true, errors: [403] } },
  "/v1/health": { get: { summary: "Every model's status from live health (nothing is probed)", tag: "health" } },
  "/v1/health/providers": { get: { summary: "Per provider: models, status, base URL", tag: "health" } },
  "/v1/health/models/{model}": { get: { summary: "One model's status", tag: "health", params: ["model"], errors: [404] } },
  "/v1/providers": { get: { summary: "Providers with their health_info", tag: "providers" } },
  "/v1/providers/stats/overview": { get: { summary: "Providers counted by health", tag: "providers" } },
  "/v1/providers/top": { get: { summary: "Providers ranked by score", tag: "providers", query: { limit: "1-20, default 5" } } },
  "/v1/providers/recommendations": {
    get: {
      summary: "A model's targets in the order its strategy would try them now",
      tag: "providers",
      query: { model: "Model name (or model_name)" },
    },
  },
  "/v1/providers/best-for-model": {
    get: { summary: "The first available target for a model", tag: "providers", query: { model: "Model name (or model_name)" } },
  },
  "/v1/providers/{name}/health": {
    get: { summary: "A provider's health_info", tag: "providers", params: ["name"], errors: [404] },
    put: {
      summary: "Take the provider out of rotation (unhealthy), mark it degraded, or put it back (healthy/auto)",
      tag: "admin",
      admin: true,
      params: ["name"],
      query: { health_status: "unhealthy | degraded | healthy | auto (or a JSON body {health_status})" },
      errors: [403, 404],
    },
  },
  "/v1/providers/{name}/performance": {
    get: { summary: "A provider's request, cost and token totals", tag: "providers", params: ["name"], errors: [404] },
  },
  "/v1/load-balancing/statistics": {
    get: { summary: "Live strategy, breaker state and stats per candidate", tag: "load-balancing", query: { model_name: "One model" } },
  },
  "/v1/load-balancing/strategies": { get: { summary: "The balancing strategies", tag: "load-balancing" } },
  "/v1/load-balancing/info": { get: { summary: "Strategies and this process's counters", tag: "load-balancing" } },
  "/v1/load-balancing/model/{model}/strategies": {
    get: { summary: "A model's links with strategy and score", tag: "load-balancing", params: ["model"] },
  },
  "/v1/providers/{name}/best-for-model": {
    get: {
      summary: "Deprecated: use /v1/providers/best-for-model (`{name}` is ignored, as the original did)",
      tag: "providers",
      params: ["name"],
      query: { model: "Model name (or model_name)" },
      deprecated: true,
    },
  },
  "/v1/models/{model}/health": {
    get: { summary: "Deprecated: use /v1/health/models/{model}", tag: "health", params: ["model"], errors: [404], deprecated: true },
  },
  "/health": { get: { summary: "Liveness: 200 with a routing table, 503 while draining or without one", tag: "health", open: true } },
  "/v1/version": {
    get: {
      summary: "Router release, API major versions, and the routing-table and usage-record schema versions (no key needed)",
      tag: "health",
      response: VersionInfo,
      open: true,
      errors: [],
    },
  },
};
