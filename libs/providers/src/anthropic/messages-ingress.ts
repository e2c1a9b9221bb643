import type { ChatCompletionRequest, ChatMessage, ContentPart, FunctionTool, ToolChoice } from "@ai-router/contracts";
import type { AnthropicBlock, AnthropicRequest, AnthropicTool, AnthropicToolChoice } from "./api.js";

/** Anthropic fields this translation reads; any other top-level field is reported as dropped. */
const HANDLED = new Set([
  "model",
  "messages",
  "system",
  "max_tokens",
  "stop_sequences",
  "temperature",
  "top_p",
  "stream",
  "metadata",
  "tools",
  "tool_choice",
  "output_config",
  "thinking",
]);

export interface ToOpenAIRequestResult {
  req: ChatCompletionRequest;
  /** Anthropic fields that an OpenAI-style target cannot carry. */
  dropped: string[];
}

/**
 * Anthropic Messages request (`POST /v1/messages`) -> OpenAI chat request, for targets that speak
 * OpenAI. `tool_result` blocks become `role: tool` messages placed before the rest of their user turn.
 */
export function toOpenAIRequest(body: AnthropicRequest): ToOpenAIRequestResult {
  const dropped: string[] = [];
  for (const k in body) if (!HANDLED.has(k) && body[k] != null) dropped.push(k);
  const messages: ChatMessage[] = [];
  if (body.system !== undefined) {
    const text = typeof body.system === "string" ? body.system : textOfBlocks(body.system, dropped);
    if (text !== "") messages.push({ role: "system", content: text });
  }
  for (const m of body.messages) {
    // Newer clients may put system turns among the messages.
    if ((m.role as string) === "system") {
      const text = typeof m.content === "string" ? m.content : textOfBlocks(m.content, dropped);
      if (text !== "") messages.push({ role: "system", content: text });
    } else if (m.role === "assistant") messages.push(toOpenAIAssistant(m.content, dropped));
    else messages.push(...toOpenAIUserTurn(m.content, dropped));
  }
  const req: ChatCompletionRequest = { model: body.model, messages, max_tokens: body.max_tokens };
  if (body.temperature != null) req.temperature = body.temperature;
  if (body.top_p != null) req.top_p = body.top_p;
  if (body.stop_sequences && body.stop_sequences.length > 0) req.stop = body.stop_sequences;
  if (body.stream) req.stream = true;
  if (body.metadata?.user_id) req.user = body.metadata.user_id;
  if (body.tools && body.tools.length > 0) {
    req.tools = toOpenAITools(body.tools, dropped);
    const choice = toOpenAIToolChoice(body.tool_choice);
    if (choice.tool_choice !== undefined) req.tool_choice = choice.tool_choice;
    if (choice.parallel_tool_calls !== undefined) req.parallel_tool_calls = choice.parallel_tool_calls;
  }
  const format = body.output_config?.format;
  if (format?.type === "json_schema") {
    req.response_format = { type: "json_schema", json_schema: { name: "response", schema: format.schema, strict: true } };
  }
  if (body.output_config?.effort != null) dropped.push("output_config.effort");
  if (body.thinking && body.thinking.type !== "disabled") dropped.push("thinking");
  return { req, dropped: [...new Set(dropped)] };
}

function textOfBlocks(blocks: readonly AnthropicBlock[], dropped: string[]): string {
  const parts: string[] = [];
  for (const b of blocks) {
    if ((b as { cache_control?: unknown }).cache_control) dropped.push("cache_control");
    if (b.type === "text") parts.push((b as { text: string }).text);
    else dropped.push(`content.${b.type}`);
  }
  return parts.join("\n\n");
}

/** One Anthropic user-content block -> OpenAI content part (undefined when it cannot be carried). */
export function toOpenAIPart(b: AnthropicBlock, dropped: string[]): ContentPart | undefined {
  if ((b as { cache_control?: unknown }).cache_control) dropped.push("cache_control");
  if (b.type === "text") return { type: "text", text: (b as { text: string }).text };
  if (b.type === "image") {
    const s = (b as { source: { type: string; media_type?: string; data?: string; url?: string } }).source;
    if (s.type === "base64") return { type: "image_url", image_url: { url: `data:${s.media_type};base64,${s.data}` } };
    if (s.type === "url" && s.url) return { type: "image_url", image_url: { url: s.url } };
  }
  if (b.type === "document") {
    const s = (b as { source: { type: string; media_type?: string; data?: string } }).source;
    if (s.type === "base64" && s.media_type === "application/pdf") {
      return { type: "file", file: { filename: "document.pdf", file_data: `data:${s.media_type};base64,${s.data}` } };
    }
  }
  dropped.push(`content.${b.type}`);
  return undefined;
}

function toOpenAIUserTurn(content: string | AnthropicBlock[], dropped: string[]): ChatMessage[] {
  if (typeof content === "string") return [{ role: "user", content }];
  const tools: ChatMessage[] = [];
  const parts: ContentPart[] = [];
  for (const b of content) {
    if (b.type === "tool_result") {
      const r = b as Extract<AnthropicBlock, { type: "tool_result" }>;
      if (r.cache_control) dropped.push("cache_control");
      if (r.is_error) dropped.push("tool_result.is_error");
      const text = typeof r.content === "string" ? r.content : textOfBlocks(r.content ?? [], dropped);
      tools.push({ role: "tool", tool_call_id: r.tool_use_id, content: text });
      continue;
    }
    const p = toOpenAIPart(b, dropped);
    if (p) parts.push(p);
  }
  if (parts.length === 0) return tools;
  const only = parts[0] as ContentPart;
  const user: ChatMessage =
    parts.length === 1 && only.type === "text"
      ? { role: "user", content: (only as { text: string }).text }
      : { role: "user", content: parts };
  return [...tools, user];
}

function toOpenAIAssistant(content: string | AnthropicBlock[], dropped: string[]): ChatMessage {
  if (typeof content === "string") return { role: "assistant", content };
  let text = "";
  const calls: { id: string; type: "function"; function: { name: string; arguments: string } }[] = [];
  for (const b of content) {
    if ((b as { cache_control?: unknown }).cache_control) dropped.push("cache_control");
    if (b.type === "text") text += (b as { text: string }).text;
    else if (b.type === "tool_use") {
      const t = b as { id: string; name: string; input: unknown };
      calls.push({ id: t.id, type: "function", function: { name: t.name, arguments: JSON.stringify(t.input ?? {}) } });
    } else dropped.push(`content.${b.type}`);
  }
  const msg: ChatMessage = { role: "assistant", content: text === "" && calls.length > 0 ? null : text };
  if (calls.length > 0) msg.tool_calls = calls;
  return msg;
}

export function toOpenAITools(tools: readonly AnthropicTool[], dropped: string[]): FunctionTool[] {
  const out: FunctionTool[] = [];
  for (const t of tools) {
    if (t.type && t.type !== "custom") {
      dropped.push(`tools.${t.type}`);
      continue;
    }
    if (t.cache_control) dropped.push("cache_control");
    const fn: FunctionTool["function"] = { name: t.name, parameters: t.input_schema };
    if (t.description) fn.description = t.description;
    if (t.strict === true) fn.strict = true;
    out.push({ type: "function", function: fn });
  }
  return out;
}

/** Anthropic `tool_choice` -> OpenAI `tool_choice` + `parallel_tool_calls`. */
export function toOpenAIToolChoice(choice: AnthropicToolChoice | undefined): {
  tool_choice?: ToolChoice;
  parallel_tool_calls?: boolean;
} {
  if (!choice) return {};
  const parallel = "disable_parallel_tool_use" in choice && choice.disable_parallel_tool_use ? { parallel_tool_calls: false } : {};
  switch (choice.type) {
    case "none":
      return { tool_choice: "none" };
    case "any":
      return { tool_choice: "required", ...parallel };
    case "tool":
      return { tool_choice: { type: "function", function: { name: choice.name } }, ...parallel };
    default:
      return { tool_choice: "auto", ...parallel };
  }
}
