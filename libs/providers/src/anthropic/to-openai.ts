import type { OpenAIUsage } from "@ai-router/contracts";
import type { AnthropicBlock, AnthropicResponse, AnthropicStopReason, AnthropicUsage } from "./api.js";

export type OpenAIFinishReason = "stop" | "length" | "tool_calls" | "content_filter";

/** Anthropic `stop_reason` -> OpenAI `finish_reason`. */
export function mapFinishReason(reason: AnthropicStopReason | string | null | undefined): OpenAIFinishReason {
  switch (reason) {
    case "max_tokens":
    case "model_context_window_exceeded":
      return "length";
    case "tool_use":
      return "tool_calls";
    case "refusal":
      return "content_filter";
    default:
      // end_turn, stop_sequence, pause_turn (a server tool paused the turn; the text so far is whole).
      return "stop";
  }
}

/**
 * Anthropic usage -> OpenAI usage. Anthropic's `input_tokens` excludes cache reads and writes; OpenAI's
 * `prompt_tokens` includes them, with the cache reads in `prompt_tokens_details.cached_tokens`.
 */
export function toOpenAIUsage(u: Partial<AnthropicUsage>): OpenAIUsage {
  const read = u.cache_read_input_tokens ?? 0;
  const written = u.cache_creation_input_tokens ?? 0;
  const prompt = (u.input_tokens ?? 0) + read + written;
  const completion = u.output_tokens ?? 0;
  const usage: OpenAIUsage = {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: read, cache_creation_tokens: written },
  };
  // 1-hour writes are priced apart (2x input against 1.25x for 5-minute ones).
  const oneHour = u.cache_creation?.ephemeral_1h_input_tokens;
  if (typeof oneHour === "number" && oneHour > 0 && usage.prompt_tokens_details)
    usage.prompt_tokens_details.cache_creation_1h_tokens = oneHour;
  const thinking = u.output_tokens_details?.thinking_tokens;
  if (typeof thinking === "number") usage.completion_tokens_details = { reasoning_tokens: thinking };
  return usage;
}

export interface OpenAIToolCall {
  id: string;
  type: "function";
  function: { name: string; arguments: string };
}

/** The OpenAI assistant message of an Anthropic answer's content blocks. */
export function toOpenAIMessage(content: readonly AnthropicBlock[]): Record<string, unknown> {
  let text = "";
  let reasoning = "";
  const toolCalls: OpenAIToolCall[] = [];
  const thinkingBlocks: AnthropicBlock[] = [];
  for (const b of content) {
    if (b.type === "text") text += (b as { text: string }).text;
    else if (b.type === "tool_use") {
      const t = b as { id: string; name: string; input: unknown };
      toolCalls.push({ id: t.id, type: "function", function: { name: t.name, arguments: JSON.stringify(t.input ?? {}) } });
    } else if (b.type === "thinking") {
      reasoning += (b as { thinking: string }).thinking;
      thinkingBlocks.push(b);
    } else if (b.type === "redacted_thinking") thinkingBlocks.push(b);
  }
  const message: Record<string, unknown> = {
    role: "assistant",
    content: text === "" && toolCalls.length > 0 ? null : text,
    refusal: null,
  };
  if (toolCalls.length > 0) message.tool_calls = toolCalls;
  if (thinkingBlocks.length > 0) {
    message.reasoning_content = reasoning;
    // Kept with their signatures so a client can send them back (thinking + tool use needs them).
    message.thinking_blocks = thinkingBlocks;
  }
  return message;
}

/** Anthropic `message` -> OpenAI `chat.completion`. */
export function toOpenAICompletion(msg: AnthropicResponse, created = Math.floor(Date.now() / 1000)): Record<string, unknown> {
  return {
    id: msg.id,
    object: "chat.completion",
    created,
    model: msg.model,
    choices: [{ index: 0, message: toOpenAIMessage(msg.content ?? []), logprobs: null, finish_reason: mapFinishReason(msg.stop_reason) }],
    usage: toOpenAIUsage(msg.usage ?? {}),
  };
}
