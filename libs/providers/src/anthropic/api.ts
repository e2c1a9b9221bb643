import type { TargetContext, UpstreamRequest } from "../adapter.js";
import type { AuthInput } from "../descriptor.js";

/** The Messages API version sent when the client names none. */
export const ANTHROPIC_VERSION = "2023-06-01";

/** Used when an OpenAI request names no `max_tokens` (Anthropic requires one). */
export const DEFAULT_MAX_TOKENS = 4096;

/** Wire shapes of Anthropic's Messages API, as far as the translations read or write them. */
export interface CacheControl {
  type: "ephemeral";
  ttl?: "5m" | "1h";
}

export type AnthropicImageSource =
  | { type: "base64"; media_type: string; data: string }
  | { type: "url"; url: string }
  | { type: "file"; file_id: string };

export type AnthropicBlock =
  | { type: "text"; text: string; cache_control?: CacheControl | null; citations?: unknown }
  | { type: "image"; source: AnthropicImageSource; cache_control?: CacheControl | null }
  | { type: "document"; source: { type: string; media_type?: string; data?: string; url?: string }; cache_control?: CacheControl | null }
  | { type: "tool_use"; id: string; name: string; input: unknown; cache_control?: CacheControl | null }
  | {
      type: "tool_result";
      tool_use_id: string;
      content?: string | AnthropicBlock[];
      is_error?: boolean;
      cache_control?: CacheControl | null;
    }
  | { type: "thinking"; thinking: string; signature: string }
  | { type: "redacted_thinking"; data: string }
  | { type: string; [k: string]: unknown };

export interface AnthropicMessage {
  role: "user" | "assistant";
  content: string | AnthropicBlock[];
}

export interface AnthropicTool {
  name: string;
  description?: string;
  input_schema: Record<string, unknown>;
  type?: string;
  strict?: boolean;
  cache_control?: CacheControl | null;
  [k: string]: unknown;
}

export type AnthropicToolChoice =
  | { type: "auto" | "any"; disable_parallel_tool_use?: boolean }
  | { type: "tool"; name: string; disable_parallel_tool_use?: boolean }
  | { type: "none" };

/** `POST /v1/messages` request body. */
export interface AnthropicRequest {
  model: string;
  max_tokens: number;
  messages: AnthropicMessage[];
  system?: string | AnthropicBlock[];
  stop_sequences?: string[];
  temperature?: number;
  top_p?: number;
  top_k?: number;
  stream?: boolean;
  metadata?: { user_id?: string | null };
  tools?: AnthropicTool[];
  tool_choice?: AnthropicToolChoice;
  thinking?: { type: string; budget_tokens?: number };
  output_config?: { format?: { type: "json_schema"; schema: Record<string, unknown> } | null; effort?: string | null };
  [k: string]: unknown;
}

export interface AnthropicUsage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
  /** Cache writes by lifetime (the sum is `cache_creation_input_tokens`). */
  cache_creation?: { ephemeral_5m_input_tokens?: number; ephemeral_1h_input_tokens?: number } | null;
  output_tokens_details?: { thinking_tokens?: number } | null;
  [k: string]: unknown;
}

export type AnthropicStopReason =
  | "end_turn"
  | "max_tokens"
  | "stop_sequence"
  | "tool_use"
  | "pause_turn"
  | "refusal"
  | "model_context_window_exceeded";

/** `POST /v1/messages` response body (`type: "message"`). */
export interface AnthropicResponse {
  id: string;
  type: "message";
  role: "assistant";
  model: string;
  content: AnthropicBlock[];
  stop_reason: AnthropicStopReason | null;
  stop_sequence: string | null;
  usage: AnthropicUsage;
}

/** Path of an endpoint under the provider's base: the default base has no `/v1`, a custom one may. */
export function anthropicPath(basePath: string, endpoint: "/messages" | "/messages/count_tokens" | "/models"): string {
  return basePath.endsWith("/v1") ? endpoint : `/v1${endpoint}`;
}

const single = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v.join(",") : v);

/**
 * Headers of every Anthropic request: the key in `x-api-key`, the API version (the client's own on
 * pass-through, else {@link ANTHROPIC_VERSION}), and the client's `anthropic-beta` flags.
 */
export function anthropicHeaders(target: TargetContext, opts: { clientVersion?: boolean; stream?: boolean } = {}): Record<string, string> {
  const h: Record<string, string> = { "content-type": "application/json", accept: opts.stream ? "text/event-stream" : "application/json" };
  Object.assign(h, anthropicAuth({ headers: target.provider.headers, apiKey: target.apiKey }));
  const version = opts.clientVersion ? single(target.clientHeaders["anthropic-version"]) : undefined;
  if (version && !target.provider.headers["anthropic-version"]) h["anthropic-version"] = version;
  const beta = single(target.clientHeaders["anthropic-beta"]);
  if (beta) h["anthropic-beta"] = beta;
  return h;
}

/** Anthropic's authentication: the API version, the provider's extra headers, the key in `x-api-key`. */
export function anthropicAuth(auth: AuthInput): Record<string, string> {
  const h: Record<string, string> = Object.assign({ "anthropic-version": ANTHROPIC_VERSION }, auth.headers);
  if (auth.apiKey) h["x-api-key"] = auth.apiKey;
  return h;
}

export function postAnthropic(
  endpoint: "/messages" | "/messages/count_tokens",
  body: string | Buffer,
  target: TargetContext,
  opts: { clientVersion?: boolean; stream?: boolean } = {},
): UpstreamRequest {
  return { method: "POST", path: anthropicPath(target.provider.basePath, endpoint), headers: anthropicHeaders(target, opts), body };
}
