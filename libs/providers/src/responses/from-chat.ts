import { randomBytes } from "node:crypto";
import type { OpenAIUsage, ResponsesRequest } from "@ai-router/contracts";
import type { ToolNames } from "./names.js";
import type { ReasoningSealer } from "./seal.js";

type Json = Record<string, unknown>;

/** A new Responses id with its kind's prefix (`resp`, `msg`, `fc`, `rs`). */
export const responsesId = (prefix: string): string => `${prefix}_${randomBytes(16).toString("hex")}`;

/** What building a Response object needs besides the answer. */
export interface ResponseContext {
  id: string;
  createdAt: number;
  request: ResponsesRequest;
  names: ToolNames;
  /** Provider type that answered (sealed reasoning names it). */
  providerType: string;
  sealer?: ReasoningSealer;
}

/**
 * Input tokens written to the prompt cache: Anthropic's `cache_creation_input_tokens` as the translation
 * to OpenAI usage keeps it (`prompt_tokens_details.cache_creation_tokens` or `cache_write_tokens`), else 0.
 */
function cacheWriteTokens(u: OpenAIUsage | undefined): number {
  const d = u?.prompt_tokens_details;
  const n = d?.cache_write_tokens ?? d?.cache_creation_tokens;
  return typeof n === "number" && Number.isFinite(n) && n > 0 ? n : 0;
}

/** Responses `usage` from OpenAI chat usage (every field the published schema requires). */
export function toResponsesUsage(u: OpenAIUsage | undefined): Json {
  const input = u?.prompt_tokens ?? 0;
  const output = u?.completion_tokens ?? 0;
  return {
    input_tokens: input,
    input_tokens_details: { cached_tokens: u?.prompt_tokens_details?.cached_tokens ?? 0, cache_write_tokens: cacheWriteTokens(u) },
    output_tokens: output,
    output_tokens_details: { reasoning_tokens: u?.completion_tokens_details?.reasoning_tokens ?? 0 },
    total_tokens: u?.total_tokens ?? input + output,
  };
}

/** `status` and `incomplete_details` from a chat finish reason. */
export function statusOf(finish: string | null | undefined): { status: string; incomplete_details: Json | null } {
  if (finish === "length") return { status: "incomplete", incomplete_details: { reason: "max_output_tokens" } };
  if (finish === "content_filter") return { status: "incomplete", incomplete_details: { reason: "content_filter" } };
  return { status: "completed", incomplete_details: null };
}

/**
 * The request's tools as a Response echoes them: a function tool always has `parameters` and `strict`
 * (null when the request left them out), as the published `FunctionTool` requires; others as they came.
 */
function echoedTools(tools: ResponsesRequest["tools"]): unknown[] {
  if (!tools) return [];
  return tools.map((t) => {
    const f = t as { type?: unknown; parameters?: unknown; strict?: unknown };
    if (f.type !== "function" || (f.parameters !== undefined && f.strict !== undefined)) return t;
    return Object.assign({}, t, { parameters: f.parameters ?? null, strict: f.strict ?? null });
  });
}

/** The Response object around its output: the request's settings echoed as OpenAI does. */
export function responseObject(ctx: ResponseContext, status: string, output: Json[], extra: Json = {}): Json {
  const r = ctx.request;
  return Object.assign(
    {
      id: ctx.id,
      object: "response",
      created_at: ctx.createdAt,
      status,
      background: false,
      error: null,
      incomplete_details: null,
      instructions: r.instructions ?? null,
      max_output_tokens: r.max_output_tokens ?? null,
      model: r.model,
      output,
      parallel_tool_calls: r.parallel_tool_calls ?? true,
      previous_response_id: r.previous_response_id ?? null,
      reasoning: { effort: r.reasoning?.effort ?? null, summary: r.reasoning?.summary ?? null },
      service_tier: "default",
      store: r.store ?? true,
      temperature: r.temperature ?? 1,
      text: { format: r.text?.format ?? { type: "text" } },
      tool_choice: r.tool_choice ?? "auto",
      tools: echoedTools(r.tools),
      top_p: r.top_p ?? 1,
      truncation: "disabled",
      metadata: r.metadata ?? {},
    },
    // The published schema has no null for these: `user` only when the request named one, `usage` once known (extra).
    r.user != null ? { user: r.user } : undefined,
    extra,
  );
}

/** A `reasoning` output item: its text as a summary, provider state sealed into `encrypted_content`. */
export function reasoningItem(ctx: ResponseContext, id: string, text: string, blocks: readonly unknown[] | undefined): Json {
  const item: Json = { id, type: "reasoning", summary: text ? [{ type: "summary_text", text }] : [] };
  if (blocks && blocks.length > 0 && ctx.sealer) {
    item.encrypted_content = ctx.sealer.seal({ provider: ctx.providerType, blocks: [...blocks], ...(text ? { text } : {}) });
  }
  return item;
}

export const messageItem = (id: string, text: string, status = "completed"): Json => ({
  id,
  type: "message",
  status,
  role: "assistant",
  content: [{ type: "output_text", text, annotations: [], logprobs: [] }],
});

/** A `function_call` item with the client's name (a flattened namespace tool mapped back). */
export function functionCallItem(
  ctx: ResponseContext,
  id: string,
  callId: string,
  flatName: string,
  args: string,
  status = "completed",
): Json {
  const n = ctx.names.original(flatName);
  const item: Json = { id, type: "function_call", status, arguments: args, call_id: callId, name: n.name };
  if (n.namespace) item.namespace = n.namespace;
  return item;
}

interface ChatCompletion {
  choices?: {
    message?: {
      content?: string | null;
      refusal?: string | null;
      reasoning_content?: string | null;
      thinking_blocks?: unknown[];
      tool_calls?: { id: string; function: { name: string; arguments: string } }[];
    };
    finish_reason?: string | null;
  }[];
  usage?: OpenAIUsage;
}

/** An OpenAI `chat.completion` -> the Response object (output items in the order the model produced them). */
export function chatToResponse(completion: ChatCompletion, ctx: ResponseContext): Json {
  const choice = completion.choices?.[0];
  const m = choice?.message ?? {};
  const output: Json[] = [];
  const reasoning = m.reasoning_content ?? "";
  if (reasoning || (m.thinking_blocks && m.thinking_blocks.length > 0)) {
    output.push(reasoningItem(ctx, responsesId("rs"), reasoning, m.thinking_blocks));
  }
  if (m.content) output.push(messageItem(responsesId("msg"), m.content));
  if (m.refusal) {
    output.push({
      id: responsesId("msg"),
      type: "message",
      status: "completed",
      role: "assistant",
      content: [{ type: "refusal", refusal: m.refusal }],
    });
  }
  for (const c of m.tool_calls ?? []) output.push(functionCallItem(ctx, responsesId("fc"), c.id, c.function.name, c.function.arguments));
  const { status, incomplete_details } = statusOf(choice?.finish_reason);
  return responseObject(ctx, status, output, { incomplete_details, usage: toResponsesUsage(completion.usage) });
}
