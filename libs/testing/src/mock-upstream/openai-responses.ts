import type { MockBehavior } from "./behavior.js";
import { type OpenAIChatBody, type PlannedReply, planReply } from "./openai.js";

/** Wire-exact OpenAI Responses API shapes (Response object, streaming events with sequence numbers). */

type Json = Record<string, unknown>;

export interface OpenAIResponsesBody {
  model: string;
  input?: string | Json[];
  instructions?: string | null;
  tools?: Json[];
  tool_choice?: unknown;
  parallel_tool_calls?: boolean;
  max_output_tokens?: number;
  stream?: boolean;
  store?: boolean;
  previous_response_id?: string | null;
  reasoning?: Json | null;
  text?: Json | null;
  metadata?: Json | null;
  user?: string | null;
  temperature?: number | null;
  top_p?: number | null;
}

let seq = 0;
const newId = (prefix: string) => `${prefix}_${Date.now().toString(16)}${(seq++).toString(16).padStart(8, "0")}`;

const partsText = (c: unknown): string =>
  typeof c === "string"
    ? c
    : Array.isArray(c)
      ? c.map((p) => (p && typeof p === "object" && "text" in p ? String(p.text) : "")).join(" ")
      : "";

/** The Responses request as the chat body the mock's planner reads (same deterministic answers). */
export function responsesAsChat(body: OpenAIResponsesBody): OpenAIChatBody {
  const messages: OpenAIChatBody["messages"] = [];
  if (body.instructions) messages.push({ role: "system", content: body.instructions });
  const items = typeof body.input === "string" ? [{ type: "message", role: "user", content: body.input }] : (body.input ?? []);
  for (const i of items) {
    const type = i.type ?? "message";
    if (type === "message") messages.push({ role: String(i.role), content: partsText(i.content) });
    else if (type === "function_call")
      messages.push({ role: "assistant", tool_calls: [{ id: i.call_id, function: { name: i.name, arguments: i.arguments } }] });
    else if (type === "function_call_output")
      messages.push({ role: "tool", tool_call_id: String(i.call_id), content: partsText(i.output) });
  }
  const tools = (body.tools ?? [])
    .filter((t) => t.type === "function")
    .map((t) => ({ type: "function", function: { name: String(t.name) } }));
  const choice = body.tool_choice as Json | string | undefined;
  const toolChoice = typeof choice === "object" && choice?.type === "function" ? { function: { name: choice.name } } : choice;
  return {
    model: body.model,
    messages,
    tools,
    tool_choice: toolChoice,
    ...(body.parallel_tool_calls !== undefined ? { parallel_tool_calls: body.parallel_tool_calls } : {}),
    ...(body.max_output_tokens ? { max_tokens: body.max_output_tokens } : {}),
  };
}

function usage(p: PlannedReply) {
  return {
    input_tokens: p.promptTokens,
    input_tokens_details: { cached_tokens: 0, cache_write_tokens: 0 },
    output_tokens: p.completionTokens,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: p.promptTokens + p.completionTokens,
  };
}

function shell(body: OpenAIResponsesBody, id: string, created: number, status: string): Json {
  return {
    id,
    object: "response",
    created_at: created,
    status,
    background: false,
    error: null,
    incomplete_details: null,
    instructions: body.instructions ?? null,
    max_output_tokens: body.max_output_tokens ?? null,
    model: body.model,
    output: [],
    parallel_tool_calls: body.parallel_tool_calls ?? true,
    previous_response_id: body.previous_response_id ?? null,
    reasoning: { effort: null, summary: null },
    service_tier: "default",
    store: body.store ?? true,
    temperature: body.temperature ?? 1,
    text: { format: { type: "text" } },
    tool_choice: body.tool_choice ?? "auto",
    // Function tools echoed with parameters and strict, as OpenAI's published FunctionTool has them.
    tools: (body.tools ?? []).map((t) =>
      (t as Json).type === "function" ? Object.assign({ parameters: null, strict: null }, t as Json) : t,
    ),
    top_p: body.top_p ?? 1,
    truncation: "disabled",
    // No `usage` until the response completes, no `user` unless the request had one (the schema has no nulls for them).
    ...(typeof body.user === "string" ? { user: body.user } : {}),
    metadata: body.metadata ?? {},
  };
}

interface Planned {
  plan: PlannedReply;
  items: Json[];
}

function plan(body: OpenAIResponsesBody, b: MockBehavior): Planned {
  const p = planReply(responsesAsChat(body), b);
  const items: Json[] = [];
  if (p.text !== null) {
    items.push({
      id: newId("msg"),
      type: "message",
      status: "completed",
      role: "assistant",
      content: [{ type: "output_text", text: p.text, annotations: [], logprobs: [] }],
    });
  }
  for (const c of p.toolCalls) {
    items.push({ id: newId("fc"), type: "function_call", status: "completed", arguments: c.arguments, call_id: c.id, name: c.name });
  }
  return { plan: p, items };
}

const statusOf = (p: PlannedReply) => (p.finish === "length" ? "incomplete" : "completed");

/** The non-streaming answer: a Response object. */
export function openAIResponse(body: OpenAIResponsesBody, b: MockBehavior): Json {
  const { plan: p, items } = plan(body, b);
  const r = shell(body, newId("resp"), Math.floor(Date.now() / 1000), statusOf(p));
  r.output = items;
  r.usage = usage(p);
  if (p.finish === "length") r.incomplete_details = { reason: "max_output_tokens" };
  return r;
}

/** The streaming answer: every event OpenAI sends for text and function calls, `sequence_number` from 0. */
export function openAIResponseEvents(body: OpenAIResponsesBody, b: MockBehavior): string[] {
  const { plan: p, items } = plan(body, b);
  const id = newId("resp");
  const created = Math.floor(Date.now() / 1000);
  let n = 0;
  const out: string[] = [];
  const ev = (type: string, payload: Json) =>
    out.push(`event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: n++, ...payload })}\n\n`);
  ev("response.created", { response: shell(body, id, created, "in_progress") });
  ev("response.in_progress", { response: shell(body, id, created, "in_progress") });
  items.forEach((item, output_index) => {
    if (item.type === "message") {
      const text = String((item.content as Json[])[0]?.text ?? "");
      ev("response.output_item.added", { output_index, item: { ...item, status: "in_progress", content: [] } });
      const part = { type: "output_text", text: "", annotations: [], logprobs: [] };
      ev("response.content_part.added", { item_id: item.id, output_index, content_index: 0, part });
      for (const w of text.split(/(?<= )/)) {
        ev("response.output_text.delta", { item_id: item.id, output_index, content_index: 0, delta: w, logprobs: [] });
      }
      ev("response.output_text.done", { item_id: item.id, output_index, content_index: 0, text, logprobs: [] });
      ev("response.content_part.done", { item_id: item.id, output_index, content_index: 0, part: { ...part, text } });
    } else {
      const args = String(item.arguments);
      ev("response.output_item.added", { output_index, item: { ...item, status: "in_progress", arguments: "" } });
      const half = Math.ceil(args.length / 2);
      for (const delta of [args.slice(0, half), args.slice(half)]) {
        if (delta) ev("response.function_call_arguments.delta", { item_id: item.id, output_index, delta });
      }
      ev("response.function_call_arguments.done", { item_id: item.id, output_index, name: item.name, arguments: args });
    }
    ev("response.output_item.done", { output_index, item });
  });
  const final = shell(body, id, created, statusOf(p));
  final.output = items;
  final.usage = usage(p);
  if (p.finish === "length") final.incomplete_details = { reason: "max_output_tokens" };
  ev(p.finish === "length" ? "response.incomplete" : "response.completed", { response: final });
  return out;
}
