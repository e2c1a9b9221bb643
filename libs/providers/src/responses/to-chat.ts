import type { ChatCompletionRequest, ChatMessage, ResponsesInputItem, ResponsesRequest, ResponsesTool } from "@ai-router/contracts";
import { RouterError } from "@ai-router/errors";
import { ToolNames } from "./names.js";
import type { ReasoningSealer } from "./seal.js";

type Json = Record<string, unknown>;
type ChatPart = { type: string; [k: string]: unknown };
type ChatTool = NonNullable<ChatCompletionRequest["tools"]>[number];

/** Request fields that need no carrying: state and delivery the router handles, hints with no effect. */
const HANDLED = new Set([
  "model",
  "input",
  "instructions",
  "tools",
  "tool_choice",
  "parallel_tool_calls",
  "text",
  "reasoning",
  "max_output_tokens",
  "temperature",
  "top_p",
  "metadata",
  "user",
  "stream",
  "store",
  "previous_response_id",
  "include",
  "prompt_cache_key",
  "prompt_cache_retention",
  "client_metadata",
  "safety_identifier",
  "service_tier",
  "stream_options",
]);
const NO_OP: Record<string, (v: unknown) => boolean> = {
  truncation: (v) => v === "disabled" || v === "auto",
  background: (v) => v === false,
};

/** A Responses request in the internal form (OpenAI chat), with what could not be carried. */
export interface ResponsesChatForm {
  req: ChatCompletionRequest;
  dropped: string[];
  /** Maps flattened namespace tool names back. */
  names: ToolNames;
}

export interface ToChatOptions {
  /** The provider type the request goes to (reasoning state is only given back to the kind that made it). */
  providerType: string;
  /** Items of the stored conversation (`previous_response_id`), before the request's own input. */
  history?: readonly ResponsesInputItem[];
  sealer?: ReasoningSealer;
}

/** Responses request -> OpenAI chat request (the internal form every adapter takes). */
export function responsesToChat(r: ResponsesRequest, opts: ToChatOptions): ResponsesChatForm {
  const dropped: string[] = [];
  for (const k in r) {
    const v = (r as Json)[k];
    if (!HANDLED.has(k) && v !== null && v !== undefined && !NO_OP[k]?.(v)) dropped.push(k);
  }
  const names = new ToolNames();
  const tools = toChatTools(r.tools ?? [], names, dropped);
  const messages: ChatMessage[] = [];
  if (r.instructions) messages.push({ role: "system", content: r.instructions });
  const items: ResponsesInputItem[] = opts.history ? [...opts.history] : [];
  if (typeof r.input === "string") items.push({ type: "message", role: "user", content: r.input });
  else if (r.input) items.push(...r.input);
  appendItems(messages, items, names, opts, dropped);
  if (messages.length === 0) throw new RouterError("invalid_request", "The request has no input.", { param: "input" });

  const req: ChatCompletionRequest = { model: r.model, messages };
  if (tools.length > 0) req.tools = tools;
  const choice = toChatToolChoice(r.tool_choice, names, dropped);
  if (choice !== undefined && tools.length > 0) req.tool_choice = choice;
  if (r.parallel_tool_calls != null && tools.length > 0) req.parallel_tool_calls = r.parallel_tool_calls;
  if (r.max_output_tokens != null) req.max_tokens = r.max_output_tokens;
  if (r.temperature != null) req.temperature = r.temperature;
  if (r.top_p != null) req.top_p = r.top_p;
  if (r.user) req.user = r.user;
  if (r.reasoning?.effort) req.reasoning_effort = r.reasoning.effort;
  const format = r.text?.format;
  if (format?.type === "json_schema") {
    const f = format as Json;
    const schema: Json = { name: typeof f.name === "string" ? f.name : "response" };
    if (f.schema) schema.schema = f.schema;
    if (typeof f.strict === "boolean") schema.strict = f.strict;
    if (typeof f.description === "string") schema.description = f.description;
    req.response_format = { type: "json_schema", json_schema: schema as { name: string } };
  } else if (format?.type === "json_object") req.response_format = { type: "json_object" };
  else if (format && format.type !== "text") dropped.push(`text.format.${format.type}`);
  if (r.text?.verbosity != null && r.text.verbosity !== "medium") dropped.push("text.verbosity");
  if (r.stream === true) {
    req.stream = true;
    // The final `response.completed` carries usage: always asked for.
    req.stream_options = { include_usage: true };
  }
  return { req, dropped: [...new Set(dropped)], names };
}

/** Function tools as they are, namespace tools flattened; everything else cannot be carried. */
function toChatTools(tools: readonly ResponsesTool[], names: ToolNames, dropped: string[]): ChatTool[] {
  const out: ChatTool[] = [];
  const fn = (t: Json, namespace?: string) => {
    const name = String(t.name ?? "");
    if (!name) throw new RouterError("invalid_request", "A function tool has no name.", { param: "tools" });
    const f: Json = { name: names.flat(name, namespace) };
    if (typeof t.description === "string") f.description = t.description;
    f.parameters = t.parameters && typeof t.parameters === "object" ? t.parameters : { type: "object", properties: {} };
    if (typeof t.strict === "boolean") f.strict = t.strict;
    out.push({ type: "function", function: f as { name: string } });
  };
  for (const t of tools) {
    const tool = t as Json;
    if (t.type === "function") fn(tool);
    else if (t.type === "namespace") {
      const ns = String(tool.name ?? "");
      for (const inner of (Array.isArray(tool.tools) ? tool.tools : []) as Json[]) {
        if (inner.type === "function") fn(inner, ns);
        else dropped.push(`tools.${ns}.${String(inner.type)}`);
      }
    } else dropped.push(`tools.${t.type}`);
  }
  return out;
}

function toChatToolChoice(
  choice: ResponsesRequest["tool_choice"],
  names: ToolNames,
  dropped: string[],
): ChatCompletionRequest["tool_choice"] {
  if (choice == null) return undefined;
  if (typeof choice === "string") return choice;
  const c = choice as Json;
  if (c.type === "function" && typeof c.name === "string") {
    return { type: "function", function: { name: names.flat(c.name, typeof c.namespace === "string" ? c.namespace : undefined) } };
  }
  if (c.type === "allowed_tools") {
    dropped.push("tool_choice.allowed_tools");
    return c.mode === "required" ? "required" : "auto";
  }
  dropped.push(`tool_choice.${String(c.type)}`);
  return undefined;
}

/** The text of a Responses content value (string or parts). */
function partsText(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  let s = "";
  for (const p of content as Json[]) {
    if (typeof p.text === "string") s += p.text;
    else if (typeof p.refusal === "string") s += p.refusal;
  }
  return s;
}

/** Responses input parts -> chat content parts. */
function toChatParts(content: unknown, dropped: string[]): string | ChatPart[] {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  const out: ChatPart[] = [];
  for (const p of content as Json[]) {
    switch (p.type) {
      case "input_text":
      case "output_text":
      case "text":
        out.push({ type: "text", text: String(p.text ?? "") });
        break;
      case "refusal":
        out.push({ type: "text", text: String(p.refusal ?? "") });
        break;
      case "input_image": {
        const url = typeof p.image_url === "string" ? p.image_url : undefined;
        if (!url) {
          dropped.push("input.input_image.file_id");
          break;
        }
        const image: Json = { url };
        if (p.detail === "low" || p.detail === "high" || p.detail === "auto") image.detail = p.detail;
        out.push({ type: "image_url", image_url: image });
        break;
      }
      case "input_file": {
        const file: Json = {};
        if (typeof p.file_data === "string") file.file_data = p.file_data;
        if (typeof p.file_id === "string") file.file_id = p.file_id;
        if (typeof p.filename === "string") file.filename = p.filename;
        if (file.file_data === undefined && file.file_id === undefined) dropped.push("input.input_file.file_url");
        else out.push({ type: "file", file });
        break;
      }
      case "input_audio":
        out.push({ type: "input_audio", input_audio: p.input_audio });
        break;
      default:
        dropped.push(`input.${String(p.type)}`);
    }
  }
  return out;
}

/** Appends Responses items as chat messages: assistant text and calls merged, reasoning state given back. */
function appendItems(
  messages: ChatMessage[],
  items: readonly ResponsesInputItem[],
  names: ToolNames,
  opts: ToChatOptions,
  dropped: string[],
) {
  let pendingReasoning: { blocks: unknown[]; text?: string } | undefined;
  /** The assistant message being built (text, then tool calls), until another role speaks. */
  let assistant: (ChatMessage & { role: "assistant" }) | undefined;
  const openAssistant = () => {
    if (!assistant) {
      assistant = { role: "assistant", content: null };
      if (pendingReasoning) {
        const a = assistant as Json;
        if (pendingReasoning.blocks.length > 0) a.thinking_blocks = pendingReasoning.blocks;
        if (pendingReasoning.text) a.reasoning_content = pendingReasoning.text;
        pendingReasoning = undefined;
      }
      messages.push(assistant);
    }
    return assistant;
  };
  for (const raw of items) {
    const item = raw as Json;
    const type = item.type ?? (item.role ? "message" : undefined);
    switch (type) {
      case "message": {
        const role = item.role;
        if (role === "assistant") {
          const a = openAssistant();
          const text = partsText(item.content);
          a.content = (typeof a.content === "string" ? a.content : "") + text;
          break;
        }
        assistant = undefined;
        if (role === "user") messages.push({ role: "user", content: toChatParts(item.content, dropped) as string });
        else if (role === "system" || role === "developer") messages.push({ role: "system", content: partsText(item.content) });
        else throw new RouterError("invalid_request", `Unknown input message role '${String(role)}'.`, { param: "input" });
        break;
      }
      case "function_call": {
        const a = openAssistant();
        const name = names.flat(String(item.name ?? ""), typeof item.namespace === "string" ? item.namespace : undefined);
        a.tool_calls ??= [];
        a.tool_calls.push({
          id: String(item.call_id ?? item.id ?? ""),
          type: "function",
          function: { name, arguments: typeof item.arguments === "string" ? item.arguments : JSON.stringify(item.arguments ?? {}) },
        });
        break;
      }
      case "function_call_output": {
        assistant = undefined;
        const out = item.output;
        const content = typeof out === "string" ? out : toChatParts(out, dropped);
        messages.push({ role: "tool", tool_call_id: String(item.call_id ?? ""), content: content as string });
        break;
      }
      case "reasoning": {
        const sealed = typeof item.encrypted_content === "string" ? opts.sealer?.open(item.encrypted_content) : undefined;
        // Only the kind of provider that produced the state can continue from it.
        if (sealed && sealed.provider === opts.providerType && sealed.blocks.length > 0) {
          pendingReasoning = { blocks: sealed.blocks, ...(sealed.text ? { text: sealed.text } : {}) };
          if (assistant && assistant.tool_calls === undefined && !assistant.content) {
            const a = assistant as Json;
            a.thinking_blocks = sealed.blocks;
            if (sealed.text) a.reasoning_content = sealed.text;
            pendingReasoning = undefined;
          } else assistant = undefined;
        }
        break;
      }
      default:
        assistant = undefined;
        dropped.push(`input.${String(type)}`);
    }
  }
}
