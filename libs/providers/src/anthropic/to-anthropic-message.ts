import type { OpenAIUsage } from "@ai-router/contracts";
import type { AnthropicBlock, AnthropicResponse, AnthropicStopReason, AnthropicUsage } from "./api.js";
import { anthropicErrorType, isAnthropicErrorType } from "./errors.js";

/** OpenAI `finish_reason` -> Anthropic `stop_reason`. */
export function mapStopReason(finish: string | null | undefined): AnthropicStopReason {
  switch (finish) {
    case "length":
      return "max_tokens";
    case "tool_calls":
    case "function_call":
      return "tool_use";
    case "content_filter":
      return "refusal";
    default:
      return "end_turn";
  }
}

/** OpenAI usage -> Anthropic usage (`input_tokens` excludes the cached part, as Anthropic counts it). */
export function toAnthropicUsage(u: OpenAIUsage | undefined): AnthropicUsage {
  const cached = u?.prompt_tokens_details?.cached_tokens ?? 0;
  return {
    input_tokens: Math.max(0, (u?.prompt_tokens ?? 0) - cached),
    output_tokens: u?.completion_tokens ?? 0,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: cached,
  };
}

/** Parses tool-call arguments; a model's malformed JSON is kept as a string under `_raw` rather than lost. */
export function parseToolArguments(args: string | undefined): unknown {
  if (!args || args.trim() === "") return {};
  try {
    const v = JSON.parse(args);
    return v && typeof v === "object" && !Array.isArray(v) ? v : { _raw: args };
  } catch {
    return { _raw: args };
  }
}

/** Anthropic message ids start with `msg_`. */
export const toMessageId = (id: string | undefined): string => (id?.startsWith("msg_") ? id : `msg_${id ?? Date.now().toString(36)}`);

interface OpenAIChoiceMessage {
  content?: string | null;
  reasoning_content?: string | null;
  tool_calls?: { id: string; function: { name: string; arguments: string } }[];
}

/** OpenAI `chat.completion` -> Anthropic `message`. */
export function toAnthropicMessage(completion: Record<string, unknown>): AnthropicResponse {
  const choice = (completion.choices as { message?: OpenAIChoiceMessage; finish_reason?: string }[] | undefined)?.[0];
  const m = choice?.message ?? {};
  const content: AnthropicBlock[] = [];
  if (m.reasoning_content) content.push({ type: "thinking", thinking: m.reasoning_content, signature: "" });
  if (m.content) content.push({ type: "text", text: m.content });
  for (const c of m.tool_calls ?? []) {
    content.push({ type: "tool_use", id: c.id, name: c.function.name, input: parseToolArguments(c.function.arguments) });
  }
  return {
    id: toMessageId(completion.id as string | undefined),
    type: "message",
    role: "assistant",
    model: String(completion.model ?? ""),
    content,
    stop_reason: mapStopReason(choice?.finish_reason),
    stop_sequence: null,
    usage: toAnthropicUsage(completion.usage as OpenAIUsage | undefined),
  };
}

/** Anthropic's error envelope. */
export interface AnthropicErrorBody {
  type: "error";
  error: { type: string; message: string };
  request_id?: string;
}

/**
 * An error in Anthropic's envelope and status, from an OpenAI-terms error: an Anthropic type kept in
 * `code` wins (so `overloaded_error` is 529 again), else the type follows the status.
 */
export function toAnthropicError(
  status: number,
  message: string,
  code: string | null,
  requestId?: string,
): { status: number; body: AnthropicErrorBody } {
  const type = isAnthropicErrorType(code) ? code : anthropicErrorType(status);
  const body: AnthropicErrorBody = { type: "error", error: { type, message } };
  if (requestId) body.request_id = requestId;
  return { status: type === "overloaded_error" ? 529 : status, body };
}
