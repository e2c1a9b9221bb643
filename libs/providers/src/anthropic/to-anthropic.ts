import type { ChatCompletionRequest, ChatMessage, ContentPart, FunctionTool, ToolChoice } from "@ai-router/contracts";
import { appendTurn, parseDataUrl, toolArguments, unhandledFields } from "../openai-request.js";
import {
  type AnthropicBlock,
  type AnthropicMessage,
  type AnthropicRequest,
  type AnthropicTool,
  type AnthropicToolChoice,
  type CacheControl,
  DEFAULT_MAX_TOKENS,
} from "./api.js";

/** OpenAI fields this translation reads; any other top-level field is reported as dropped. */
const HANDLED = new Set([
  "model",
  "messages",
  "stream",
  "stream_options",
  "temperature",
  "top_p",
  "max_tokens",
  "max_completion_tokens",
  "stop",
  "user",
  "tools",
  "tool_choice",
  "parallel_tool_calls",
  "response_format",
  "reasoning_effort",
  // Anthropic-native extras an OpenAI client may add; carried as is.
  "top_k",
  "thinking",
]);

/** Values equal to OpenAI's defaults change nothing, so dropping them is not worth a warning. */
const NO_OP: Record<string, (v: unknown) => boolean> = {
  n: (v) => v === 1,
  presence_penalty: (v) => v === 0,
  frequency_penalty: (v) => v === 0,
  logprobs: (v) => v === false,
  store: (v) => v === false,
  service_tier: (v) => v === "auto" || v === "default",
};

/** Thinking budgets for OpenAI's `reasoning_effort` (Anthropic's minimum budget is 1024). */
const EFFORT_BUDGET: Record<string, number> = { minimal: 1024, low: 1024, medium: 4096, high: 16384 };

export const JSON_OBJECT_INSTRUCTION = "Respond with a single valid JSON object and nothing else.";

export interface ToAnthropicResult {
  body: AnthropicRequest;
  /** OpenAI fields that could not be carried. */
  dropped: string[];
}

/** OpenAI chat request (defaults already merged) -> Anthropic Messages request. */
export function toAnthropicRequest(req: ChatCompletionRequest, upstreamModel: string, stream: boolean): ToAnthropicResult {
  const r = req as Record<string, unknown>;
  const dropped = unhandledFields(req, HANDLED, NO_OP);
  const { system, messages } = toAnthropicMessages(req.messages, dropped);
  const body: AnthropicRequest = {
    model: upstreamModel,
    max_tokens: req.max_completion_tokens ?? req.max_tokens ?? DEFAULT_MAX_TOKENS,
    messages,
  };
  let systemBlocks = system;
  const format = req.response_format;
  if (format?.type === "json_schema") {
    const schema = (format as { json_schema: { schema?: Record<string, unknown> } }).json_schema.schema ?? { type: "object" };
    body.output_config = { format: { type: "json_schema", schema } };
  } else if (format?.type === "json_object") {
    systemBlocks = [...systemBlocks, { type: "text", text: JSON_OBJECT_INSTRUCTION }];
  }
  if (systemBlocks.length > 0) body.system = compactSystem(systemBlocks);
  if (req.temperature != null) body.temperature = req.temperature;
  if (req.top_p != null) body.top_p = req.top_p;
  if (typeof r.top_k === "number") body.top_k = r.top_k;
  if (req.stop != null) body.stop_sequences = typeof req.stop === "string" ? [req.stop] : req.stop;
  if (req.user) body.metadata = { user_id: req.user };
  if (req.tools && req.tools.length > 0) {
    body.tools = toAnthropicTools(req.tools, dropped);
    const choice = toAnthropicToolChoice(req.tool_choice, req.parallel_tool_calls);
    if (choice) body.tool_choice = choice;
  } else if (req.tool_choice !== undefined && req.tool_choice !== "none" && req.tool_choice !== "auto") {
    dropped.push("tool_choice");
  }
  if (r.thinking && typeof r.thinking === "object") {
    body.thinking = r.thinking as AnthropicRequest["thinking"];
  } else if (req.reasoning_effort && req.reasoning_effort !== "none") {
    const budget = EFFORT_BUDGET[req.reasoning_effort];
    if (budget === undefined) dropped.push("reasoning_effort");
    else {
      body.thinking = { type: "enabled", budget_tokens: budget };
      // The budget is part of max_tokens; keep the room the client asked for the answer itself.
      if (body.max_tokens <= budget) body.max_tokens += budget;
    }
  }
  if (stream) body.stream = true;
  return { body, dropped: [...new Set(dropped)] };
}

type TextBlock = Extract<AnthropicBlock, { type: "text" }>;
/** A turn being assembled (blocks of one role, merged). */
type Turn = { role: "user" | "assistant"; parts: AnthropicBlock[] };

function compactSystem(blocks: TextBlock[]): string | TextBlock[] {
  if (blocks.some((b) => b.cache_control)) return blocks;
  return blocks.map((b) => b.text).join("\n\n");
}

const cacheOf = (p: unknown): CacheControl | undefined => {
  const c = (p as { cache_control?: unknown } | null)?.cache_control;
  return c && typeof c === "object" ? (c as CacheControl) : undefined;
};

function textBlock(text: string, part?: unknown): TextBlock {
  const cache = cacheOf(part);
  return cache ? { type: "text", text, cache_control: cache } : { type: "text", text };
}

/** One OpenAI content part -> Anthropic block (undefined when it cannot be carried). */
export function toAnthropicBlock(part: ContentPart, dropped: string[]): AnthropicBlock | undefined {
  const p = part as Record<string, unknown>;
  if (part.type === "text") return textBlock(String(p.text), part);
  if (part.type === "image_url") {
    const img = p.image_url as { url: string; detail?: string };
    if (img.detail && img.detail !== "auto") dropped.push("image_url.detail");
    const data = parseDataUrl(img.url);
    const source = data ? { type: "base64" as const, media_type: data.mediaType, data: data.data } : { type: "url" as const, url: img.url };
    const cache = cacheOf(part);
    return cache ? { type: "image", source, cache_control: cache } : { type: "image", source };
  }
  if (part.type === "file") {
    const f = p.file as { file_data?: string } | undefined;
    const data = f?.file_data ? parseDataUrl(f.file_data) : undefined;
    if (data?.mediaType === "application/pdf") {
      return { type: "document", source: { type: "base64", media_type: data.mediaType, data: data.data } };
    }
  }
  dropped.push(`content.${part.type}`);
  return undefined;
}

function toBlocks(content: ChatMessage["content"], dropped: string[]): AnthropicBlock[] {
  if (content == null) return [];
  if (typeof content === "string") return content === "" ? [] : [{ type: "text", text: content }];
  const out: AnthropicBlock[] = [];
  for (const part of content) {
    const b = toAnthropicBlock(part, dropped);
    if (b) out.push(b);
  }
  return out;
}

/**
 * OpenAI messages -> Anthropic `system` + `messages`. System and developer messages are lifted into
 * `system`; tool results become `tool_result` blocks of a user turn; consecutive same-role turns merge.
 */
export function toAnthropicMessages(
  messages: readonly ChatMessage[],
  dropped: string[],
): { system: TextBlock[]; messages: AnthropicMessage[] } {
  const system: TextBlock[] = [];
  const turns: Turn[] = [];
  const push = (role: Turn["role"], blocks: AnthropicBlock[]) => appendTurn(turns, role, blocks);
  for (const m of messages) {
    const raw = m as Record<string, unknown>;
    if (typeof raw.name === "string" && m.role !== "function") dropped.push("messages.name");
    switch (m.role) {
      case "system":
      case "developer":
        for (const b of toBlocks(m.content, dropped)) if (b.type === "text") system.push(b as TextBlock);
        break;
      case "user":
        push("user", toBlocks(m.content, dropped));
        break;
      case "assistant": {
        const blocks: AnthropicBlock[] = [];
        const thinking = raw.thinking_blocks;
        if (Array.isArray(thinking)) blocks.push(...(thinking as AnthropicBlock[]));
        else if (m.reasoning_content) dropped.push("messages.reasoning_content");
        blocks.push(...toBlocks(m.content, dropped));
        for (const c of m.tool_calls ?? []) {
          blocks.push({ type: "tool_use", id: c.id, name: c.function.name, input: toolArguments(c.function.arguments, c.function.name) });
        }
        push("assistant", blocks);
        break;
      }
      case "tool": {
        const content = typeof m.content === "string" ? m.content : toBlocks(m.content, dropped);
        push("user", [{ type: "tool_result", tool_use_id: m.tool_call_id, content }]);
        break;
      }
      default:
        dropped.push(`messages.${m.role}`);
    }
  }
  return { system, messages: turns.map(compactTurn) };
}

/** A turn of one plain text block is sent as a string, like a hand-written request. */
function compactTurn(t: Turn): AnthropicMessage {
  const only = t.parts[0] as AnthropicBlock;
  if (t.parts.length === 1 && only.type === "text" && !(only as TextBlock).cache_control) {
    return { role: t.role, content: (only as TextBlock).text };
  }
  return { role: t.role, content: t.parts };
}

export function toAnthropicTools(tools: readonly FunctionTool[], dropped: string[]): AnthropicTool[] {
  const out: AnthropicTool[] = [];
  for (const t of tools) {
    if (t.type !== "function") {
      dropped.push(`tools.${String(t.type)}`);
      continue;
    }
    const f = t.function;
    const tool: AnthropicTool = { name: f.name, input_schema: f.parameters ?? { type: "object", properties: {} } };
    if (f.description) tool.description = f.description;
    if (f.strict === true) tool.strict = true;
    const cache = cacheOf(t);
    if (cache) tool.cache_control = cache;
    out.push(tool);
  }
  return out;
}

/** OpenAI `tool_choice` + `parallel_tool_calls` -> Anthropic `tool_choice`. */
export function toAnthropicToolChoice(choice: ToolChoice | undefined, parallel: boolean | undefined): AnthropicToolChoice | undefined {
  const noParallel = parallel === false ? { disable_parallel_tool_use: true } : {};
  if (choice === undefined) return parallel === false ? { type: "auto", ...noParallel } : undefined;
  if (choice === "none") return { type: "none" };
  if (choice === "auto") return { type: "auto", ...noParallel };
  if (choice === "required") return { type: "any", ...noParallel };
  return { type: "tool", name: choice.function.name, ...noParallel };
}
