type Json = Record<string, unknown>;

/** How a streaming request wants its replay rendered (OpenAI chat's `stream_options.include_usage`). */
export interface RenderOptions {
  includeUsage: boolean;
}

/**
 * A cached JSON answer rendered as the event stream the same request with `stream: true` gets, in the
 * client's format, ending as that format ends (`[DONE]`, `message_stop`, `response.completed`, the last
 * Gemini chunk). Undefined: the body is not a complete answer of that format (then it is not replayed).
 */
export function renderStream(format: string, body: string, opts: RenderOptions): string | undefined {
  let json: Json;
  try {
    json = JSON.parse(body) as Json;
  } catch {
    return undefined;
  }
  if (json === null || typeof json !== "object") return undefined;
  switch (format) {
    case "openai-chat":
      return Array.isArray(json.choices) ? chatStream(json, opts) : undefined;
    case "anthropic-messages":
      return Array.isArray(json.content) ? messagesStream(json) : undefined;
    case "openai-responses":
      return Array.isArray(json.output) ? responsesStream(json) : undefined;
    case "gemini":
      // One chunk holding the whole answer is a whole Gemini stream.
      return Array.isArray(json.candidates) ? `data: ${body}\r\n\r\n` : undefined;
    default:
      return undefined;
  }
}

const data = (j: unknown) => `data: ${JSON.stringify(j)}\n\n`;

/** OpenAI chat: per choice its delta (role, text, tool calls with their index), then its finish reason; usage last. */
function chatStream(c: Json, opts: RenderOptions): string {
  const base = { id: c.id, object: "chat.completion.chunk", created: c.created, model: c.model } as Json;
  if (c.system_fingerprint !== undefined) base.system_fingerprint = c.system_fingerprint;
  if (c.service_tier !== undefined) base.service_tier = c.service_tier;
  const extra = opts.includeUsage ? { usage: null } : {};
  let out = "";
  for (const choice of c.choices as Json[]) {
    const message = (choice.message ?? {}) as Json;
    const delta: Json = {};
    for (const [k, v] of Object.entries(message)) {
      if (v === null || v === undefined) continue;
      delta[k] = k === "tool_calls" && Array.isArray(v) ? v.map((t, index) => Object.assign({ index }, t)) : v;
    }
    delta.role ??= "assistant";
    const logprobs = choice.logprobs ?? null;
    out += data(Object.assign({}, base, { choices: [{ index: choice.index ?? 0, delta, logprobs, finish_reason: null }] }, extra));
    out += data(
      Object.assign(
        {},
        base,
        { choices: [{ index: choice.index ?? 0, delta: {}, logprobs: null, finish_reason: choice.finish_reason }] },
        extra,
      ),
    );
  }
  if (opts.includeUsage && c.usage !== undefined) out += data(Object.assign({}, base, { choices: [], usage: c.usage }));
  return `${out}data: [DONE]\n\n`;
}

const event = (type: string, body: Json) => `event: ${type}\ndata: ${JSON.stringify(Object.assign({ type }, body))}\n\n`;

/** Anthropic: message_start, each content block started, its delta and stopped, message_delta, message_stop. */
function messagesStream(m: Json): string {
  const usage = (m.usage ?? {}) as Json;
  const start = Object.assign({}, m, {
    content: [],
    stop_reason: null,
    stop_sequence: null,
    usage: Object.assign({}, usage, { output_tokens: 0 }),
  });
  let out = event("message_start", { message: start });
  (m.content as Json[]).forEach((block, index) => {
    const type = block.type;
    if (type === "text") {
      out += event("content_block_start", { index, content_block: Object.assign({}, block, { text: "" }) });
      out += event("content_block_delta", { index, delta: { type: "text_delta", text: block.text } });
    } else if (type === "tool_use" || type === "server_tool_use" || type === "mcp_tool_use") {
      out += event("content_block_start", { index, content_block: Object.assign({}, block, { input: {} }) });
      out += event("content_block_delta", { index, delta: { type: "input_json_delta", partial_json: JSON.stringify(block.input ?? {}) } });
    } else if (type === "thinking") {
      out += event("content_block_start", { index, content_block: { type: "thinking", thinking: "", signature: "" } });
      out += event("content_block_delta", { index, delta: { type: "thinking_delta", thinking: block.thinking } });
      if (typeof block.signature === "string")
        out += event("content_block_delta", { index, delta: { type: "signature_delta", signature: block.signature } });
    } else {
      // Blocks that arrive whole (redacted thinking, tool results of server tools).
      out += event("content_block_start", { index, content_block: block });
    }
    out += event("content_block_stop", { index });
  });
  const deltaUsage: Json = { output_tokens: usage.output_tokens ?? 0 };
  for (const k of ["input_tokens", "cache_creation_input_tokens", "cache_read_input_tokens", "server_tool_use"]) {
    if (usage[k] !== undefined) deltaUsage[k] = usage[k];
  }
  out += event("message_delta", {
    delta: { stop_reason: m.stop_reason ?? "end_turn", stop_sequence: m.stop_sequence ?? null },
    usage: deltaUsage,
  });
  return out + event("message_stop", {});
}

/** OpenAI Responses: created, in_progress, each output item added with its parts and deltas and done, then completed. */
function responsesStream(r: Json): string {
  let seq = 0;
  const ev = (type: string, body: Json) =>
    `event: ${type}\ndata: ${JSON.stringify(Object.assign({ type, sequence_number: seq++ }, body))}\n\n`;
  const pending = Object.assign({}, r, { status: "in_progress", output: [], usage: null, incomplete_details: null });
  let out = ev("response.created", { response: pending }) + ev("response.in_progress", { response: pending });
  (r.output as Json[]).forEach((item, output_index) => {
    const item_id = item.id;
    if (item.type === "message" && Array.isArray(item.content)) {
      out += ev("response.output_item.added", { output_index, item: Object.assign({}, item, { status: "in_progress", content: [] }) });
      (item.content as Json[]).forEach((part, content_index) => {
        const at = { item_id, output_index, content_index };
        if (part.type === "refusal") {
          out += ev("response.content_part.added", Object.assign({ part: { type: "refusal", refusal: "" } }, at));
          out += ev("response.refusal.delta", Object.assign({ delta: part.refusal }, at));
          out += ev("response.refusal.done", Object.assign({ refusal: part.refusal }, at));
        } else {
          out += ev("response.content_part.added", Object.assign({ part: Object.assign({}, part, { text: "", annotations: [] }) }, at));
          out += ev("response.output_text.delta", Object.assign({ delta: part.text ?? "", logprobs: [] }, at));
          out += ev("response.output_text.done", Object.assign({ text: part.text ?? "", logprobs: [] }, at));
        }
        out += ev("response.content_part.done", Object.assign({ part }, at));
      });
    } else if (item.type === "function_call") {
      out += ev("response.output_item.added", { output_index, item: Object.assign({}, item, { arguments: "", status: "in_progress" }) });
      out += ev("response.function_call_arguments.delta", { item_id, output_index, delta: item.arguments ?? "" });
      out += ev("response.function_call_arguments.done", { item_id, output_index, name: item.name, arguments: item.arguments ?? "" });
    } else if (item.type === "reasoning" && Array.isArray(item.summary)) {
      out += ev("response.output_item.added", { output_index, item: Object.assign({}, item, { summary: [] }) });
      (item.summary as Json[]).forEach((part, summary_index) => {
        const at = { item_id, output_index, summary_index };
        out += ev("response.reasoning_summary_part.added", Object.assign({ part: { type: "summary_text", text: "" } }, at));
        out += ev("response.reasoning_summary_text.delta", Object.assign({ delta: part.text ?? "" }, at));
        out += ev("response.reasoning_summary_text.done", Object.assign({ text: part.text ?? "" }, at));
        out += ev("response.reasoning_summary_part.done", Object.assign({ part }, at));
      });
    } else out += ev("response.output_item.added", { output_index, item });
    out += ev("response.output_item.done", { output_index, item });
  });
  return out + ev(r.status === "incomplete" ? "response.incomplete" : "response.completed", { response: r });
}

/** The marker that ends a whole stream of each format: a stream without it was cut and is not stored. */
const END_MARKERS: Record<string, string> = {
  "openai-chat": "data: [DONE]",
  "anthropic-messages": "event: message_stop",
  "openai-responses": '"type":"response.completed"',
  gemini: '"finishReason"',
};

/** True when `sse` (a relayed stream) ended as its format ends, without an error event. */
export function streamComplete(format: string, sse: string): boolean {
  const marker = END_MARKERS[format];
  if (marker === undefined) return false;
  const tail = sse.slice(-Math.min(sse.length, 64 * 1024));
  return tail.includes(marker) && !/^event: error$|"type":"error"|^data: \{"error"/m.test(tail);
}
