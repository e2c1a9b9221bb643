import type { ServerResponse } from "node:http";
import type { MockBehavior } from "./behavior.js";
import type { MockContext, MockRouteEntry } from "./server.js";

/**
 * Wire-exact Anthropic Messages API (`POST /v1/messages`, JSON and event stream, `count_tokens`,
 * errors). Deterministic answers, like the OpenAI mock: with tools offered and a user text turn last,
 * the model calls every tool the text names (the first when none is named); after tool results it
 * answers in text; otherwise it echoes. `thinking: {type:"enabled"}` adds a signed thinking block.
 * Blocks marked with `cache_control` are reported as cache reads, so a test can see the marker arrived.
 *
 * Failures: `behavior.status` answers with Anthropic's error envelope (429 rate_limit_error, 529
 * overloaded_error, ...); `behavior.errorType` without a status fails a stream in-band with an
 * `event: error` after `message_start`, as Anthropic does when it overloads mid-stream.
 */

type Block = { type: string; [k: string]: unknown };
interface Msg {
  role: string;
  content: string | Block[];
}
interface Tool {
  name: string;
  type?: string;
}
export interface AnthropicBody {
  model?: string;
  max_tokens?: number;
  messages?: Msg[];
  system?: string | Block[];
  tools?: Tool[];
  tool_choice?: { type: string; name?: string; disable_parallel_tool_use?: boolean };
  thinking?: { type: string };
  stream?: boolean;
}

let seq = 0;
const newId = (prefix: string) => `${prefix}01${Date.now().toString(36)}${(seq++).toString(36).padStart(6, "0")}`;
const tokens = (s: string) => Math.max(1, Math.ceil(s.length / 4));

const blocksOf = (c: string | Block[] | undefined): Block[] => (typeof c === "string" ? [{ type: "text", text: c }] : (c ?? []));
const textOf = (c: string | Block[] | undefined): string =>
  blocksOf(c)
    .map((b) =>
      b.type === "text"
        ? String(b.text)
        : b.type === "tool_result"
          ? textOf(b.content as string | Block[])
          : b.type === "image"
            ? "[image]"
            : "",
    )
    .join(" ");

/** Input token counts: everything is counted, and blocks marked `cache_control` count as cache reads. */
export function countInput(body: AnthropicBody): { input: number; cached: number } {
  let input = 0;
  let cached = 0;
  const add = (b: Block | Tool) => {
    const n = tokens(JSON.stringify(b));
    if ((b as { cache_control?: unknown }).cache_control) cached += n;
    else input += n;
  };
  for (const b of blocksOf(body.system)) add(b);
  for (const t of body.tools ?? []) add(t);
  for (const m of body.messages ?? []) for (const b of blocksOf(m.content)) add(b);
  return { input: Math.max(1, input), cached };
}

/** Checks Anthropic enforces; returns the error message, or undefined when the request is valid. */
export function validateAnthropic(body: AnthropicBody, countOnly = false): string | undefined {
  if (!body || typeof body !== "object") return "request body must be a JSON object";
  if (typeof body.model !== "string" || !body.model) return "model: Field required";
  if (!countOnly && (typeof body.max_tokens !== "number" || !Number.isInteger(body.max_tokens) || body.max_tokens < 1)) {
    return "max_tokens: Field required";
  }
  if (!Array.isArray(body.messages) || body.messages.length === 0) return "messages: at least one message is required";
  for (let i = 0; i < body.messages.length; i++) {
    const m = body.messages[i] as Msg;
    if (m.role !== "user" && m.role !== "assistant") return `messages.${i}.role: Input should be 'user' or 'assistant'`;
    if (typeof m.content !== "string" && !Array.isArray(m.content)) return `messages.${i}.content: Input should be a valid list`;
    for (const b of blocksOf(m.content)) {
      if (b.type === "image") {
        const s = b.source as { type?: string; media_type?: string; data?: string; url?: string } | undefined;
        if (!(s?.type === "base64" && s.media_type && s.data) && !(s?.type === "url" && s.url)) {
          return `messages.${i}.content: image source must be base64 (media_type, data) or url`;
        }
      }
      if (b.type === "tool_result" && m.role !== "user") return `messages.${i}: tool_result blocks must be in a user message`;
    }
    // Every tool_use must be answered by a tool_result in the next message.
    if (m.role === "assistant") {
      const next = body.messages[i + 1];
      const answered = new Set(blocksOf(next?.content).flatMap((b) => (b.type === "tool_result" ? [String(b.tool_use_id)] : [])));
      for (const b of blocksOf(m.content)) {
        if (b.type === "tool_use" && next && !answered.has(String(b.id))) {
          return `messages.${i + 1}: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${String(b.id)}`;
        }
      }
    }
  }
  if (body.tool_choice && !body.tools?.length && body.tool_choice.type !== "none") return "tool_choice: tools must be provided";
  const last = body.messages[body.messages.length - 1] as Msg;
  if (last.role === "assistant" && /\s$/.test(textOf(last.content))) {
    return "messages: final assistant content cannot end with trailing whitespace";
  }
  return undefined;
}

interface Planned {
  content: Block[];
  stopReason: string;
  input: number;
  cached: number;
  output: number;
}

export function planAnthropicReply(body: AnthropicBody, b: MockBehavior): Planned {
  const messages = body.messages ?? [];
  const last = messages[messages.length - 1];
  // A trailing assistant message is a prefill: the answer goes on from where it ends.
  if (last?.role === "assistant" && messages.length > 1) {
    const prefill = textOf(last.content);
    const whole = planAnthropicReply({ ...body, messages: messages.slice(0, -1) }, b);
    const { input, cached } = countInput(body);
    const content = whole.content.map((x) =>
      x.type === "text" && String(x.text).startsWith(prefill) ? { ...x, text: String(x.text).slice(prefill.length) } : x,
    );
    const text = content.find((x) => x.type === "text");
    return { ...whole, content, input, cached, output: text ? tokens(String(text.text)) : whole.output };
  }
  const { input, cached } = countInput(body);
  const content: Block[] = [];
  if (body.thinking?.type === "enabled") {
    content.push({
      type: "thinking",
      thinking: "Let me think about that.",
      signature: `sig_${Buffer.from(textOf(last?.content)).toString("base64").slice(0, 16)}`,
    });
  }
  const lastBlocks = blocksOf(last?.content);
  const afterTool = lastBlocks.some((x) => x.type === "tool_result");
  const tools = (body.tools ?? []).filter((t) => !t.type || t.type === "custom");
  if (tools.length > 0 && last?.role === "user" && !afterTool && body.tool_choice?.type !== "none") {
    const said = textOf(last.content);
    let chosen = tools.filter((t) => said.includes(t.name));
    if (body.tool_choice?.type === "tool") chosen = tools.filter((t) => t.name === body.tool_choice?.name);
    if (chosen.length === 0) chosen = [tools[0] as Tool];
    if (body.tool_choice?.disable_parallel_tool_use) chosen = chosen.slice(0, 1);
    chosen.forEach((t, i) => {
      content.push({ type: "tool_use", id: newId("toolu_"), name: t.name, input: { query: said.slice(0, 60), n: i } });
    });
    return { content, stopReason: "tool_use", input, cached, output: 12 * chosen.length };
  }
  let text = b.text ?? (afterTool ? `Tool said: ${textOf(last?.content).trim()}` : `Echo: ${textOf(last?.content)}`);
  let output = tokens(text);
  let stopReason = "end_turn";
  if (body.max_tokens && output > body.max_tokens) {
    text = text.slice(0, body.max_tokens * 4);
    output = body.max_tokens;
    stopReason = "max_tokens";
  }
  content.push({ type: "text", text });
  return { content, stopReason, input, cached, output };
}

const usageOf = (p: Planned) => ({
  input_tokens: p.input,
  cache_creation_input_tokens: 0,
  cache_read_input_tokens: p.cached,
  output_tokens: p.output,
  service_tier: "standard",
});

export function anthropicMessage(body: AnthropicBody, p: Planned) {
  return {
    id: newId("msg_"),
    type: "message",
    role: "assistant",
    model: body.model,
    content: p.content,
    stop_reason: p.stopReason,
    stop_sequence: null,
    usage: usageOf(p),
  };
}

const ev = (event: string, data: object) => `event: ${event}\ndata: ${JSON.stringify({ type: event, ...data })}\n\n`;

/** The event sequence Anthropic streams for a reply. */
export function anthropicEvents(body: AnthropicBody, p: Planned, inBandError?: string): string[] {
  const start = { ...anthropicMessage(body, p), content: [], stop_reason: null, usage: { ...usageOf(p), output_tokens: 1 } };
  const out = [ev("message_start", { message: start }), ev("ping", {})];
  if (inBandError) {
    out.push(
      ev("error", { error: { type: inBandError, message: inBandError === "overloaded_error" ? "Overloaded" : "Mock stream error" } }),
    );
    return out;
  }
  p.content.forEach((b, index) => {
    if (b.type === "text") {
      out.push(ev("content_block_start", { index, content_block: { type: "text", text: "" } }));
      for (const piece of String(b.text).match(/.{1,8}/gs) ?? []) {
        out.push(ev("content_block_delta", { index, delta: { type: "text_delta", text: piece } }));
      }
    } else if (b.type === "thinking") {
      out.push(ev("content_block_start", { index, content_block: { type: "thinking", thinking: "", signature: "" } }));
      out.push(ev("content_block_delta", { index, delta: { type: "thinking_delta", thinking: b.thinking } }));
      out.push(ev("content_block_delta", { index, delta: { type: "signature_delta", signature: b.signature } }));
    } else if (b.type === "tool_use") {
      out.push(ev("content_block_start", { index, content_block: { type: "tool_use", id: b.id, name: b.name, input: {} } }));
      out.push(ev("content_block_delta", { index, delta: { type: "input_json_delta", partial_json: "" } }));
      for (const piece of JSON.stringify(b.input).match(/.{1,10}/gs) ?? []) {
        out.push(ev("content_block_delta", { index, delta: { type: "input_json_delta", partial_json: piece } }));
      }
    }
    out.push(ev("content_block_stop", { index }));
  });
  out.push(ev("message_delta", { delta: { stop_reason: p.stopReason, stop_sequence: null }, usage: { output_tokens: p.output } }));
  out.push(ev("message_stop", {}));
  return out;
}

const errorTypes: Record<number, string> = {
  400: "invalid_request_error",
  401: "authentication_error",
  402: "billing_error",
  403: "permission_error",
  404: "not_found_error",
  413: "request_too_large",
  429: "rate_limit_error",
  500: "api_error",
  504: "timeout_error",
  529: "overloaded_error",
};

function sendJson(res: ServerResponse, status: number, obj: unknown, headers?: Record<string, string>): void {
  const body = JSON.stringify(obj);
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(body),
    "request-id": newId("req_"),
    ...headers,
  });
  res.end(body);
}

export function sendAnthropicError(res: ServerResponse, b: MockBehavior, status: number): void {
  const type = b.errorType ?? errorTypes[status] ?? (status >= 500 ? "api_error" : "invalid_request_error");
  const message = b.message ?? (type === "overloaded_error" ? "Overloaded" : `Mock upstream error ${status}`);
  sendJson(res, status, { type: "error", error: { type, message }, request_id: newId("req_") }, b.headers);
}

/** Header checks every Messages endpoint makes before looking at the body. */
function checkHeaders(ctx: MockContext): boolean {
  // Anthropic takes an API key in `x-api-key`; newer SDKs send it as a Bearer token instead.
  if (!ctx.req.headers["x-api-key"] && !ctx.req.headers.authorization) {
    sendAnthropicError(ctx.res, { message: "x-api-key header is required" }, 401);
    return false;
  }
  if (!ctx.req.headers["anthropic-version"]) {
    sendAnthropicError(ctx.res, { message: "anthropic-version: header is required" }, 400);
    return false;
  }
  return true;
}

export const anthropicRoutes: MockRouteEntry[] = [
  {
    method: "POST",
    suffix: "/messages/count_tokens",
    sendError: sendAnthropicError,
    handle(ctx) {
      if (!checkHeaders(ctx)) return;
      const body = ctx.body as AnthropicBody;
      const invalid = validateAnthropic(body, true);
      if (invalid) return sendAnthropicError(ctx.res, { message: invalid }, 400);
      const { input, cached } = countInput(body);
      sendJson(ctx.res, 200, { input_tokens: input + cached }, ctx.behavior.headers);
    },
  },
  {
    method: "POST",
    suffix: "/messages",
    sendError: sendAnthropicError,
    async handle(ctx) {
      if (!checkHeaders(ctx)) return;
      const body = ctx.body as AnthropicBody;
      const invalid = validateAnthropic(body);
      if (invalid) return sendAnthropicError(ctx.res, { message: invalid }, 400);
      const plan = planAnthropicReply(body, ctx.behavior);
      if (body.stream) return ctx.writeStream(anthropicEvents(body, plan, ctx.behavior.errorType), { "request-id": newId("req_") });
      sendJson(ctx.res, 200, anthropicMessage(body, plan), ctx.behavior.headers);
    },
  },
];
