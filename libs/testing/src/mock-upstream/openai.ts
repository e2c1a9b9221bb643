import type { ServerResponse } from "node:http";
import type { MockBehavior } from "./behavior.js";

/** Wire-exact OpenAI shapes (chat.completion, chat.completion.chunk, list, embedding, error). */

interface Msg {
  role: string;
  content?: unknown;
  tool_calls?: unknown[];
  tool_call_id?: string;
}
interface Tool {
  type: string;
  function: { name: string };
}
export interface OpenAIChatBody {
  model: string;
  messages: Msg[];
  stream?: boolean;
  stream_options?: { include_usage?: boolean } | null;
  tools?: Tool[];
  tool_choice?: unknown;
  parallel_tool_calls?: boolean;
  max_tokens?: number;
  n?: number;
}

const textOf = (c: unknown): string =>
  typeof c === "string"
    ? c
    : Array.isArray(c)
      ? c.map((p) => (p && typeof p === "object" && "text" in p ? String(p.text) : "")).join(" ")
      : "";

let seq = 0;
const newId = (prefix: string) => `${prefix}${Date.now().toString(36)}${(seq++).toString(36).padStart(6, "0")}`;

export interface PlannedReply {
  text: string | null;
  toolCalls: { id: string; name: string; arguments: string }[];
  finish: "stop" | "tool_calls" | "length";
  promptTokens: number;
  completionTokens: number;
  /** DeepSeek-style `reasoning_content`, sent before the answer. */
  reasoning?: string;
  /** Prompt tokens read from the provider's prompt cache (`prompt_tokens_details.cached_tokens`). */
  cachedTokens?: number;
}

/**
 * Deterministic answers: with tools offered and the last message from the user, the model calls every
 * tool whose name the message mentions (the first tool when none is named); after a tool result it
 * answers in text; otherwise it echoes the user.
 */
export function planReply(body: OpenAIChatBody, b: MockBehavior): PlannedReply {
  const last = body.messages[body.messages.length - 1];
  // An assistant prefill in the OpenAI-compatible forms (`prefix: true` DeepSeek/Mistral, `partial: true`
  // Moonshot/Qwen, `continue_final_message` vLLM): the answer goes on from where the prefill ends.
  const flags = last as { prefix?: boolean; partial?: boolean } | undefined;
  const prefilled =
    flags?.prefix === true || flags?.partial === true || (body as { continue_final_message?: boolean }).continue_final_message;
  if (last?.role === "assistant" && prefilled && body.messages.length > 1) {
    const prefill = textOf(last.content);
    const whole = planReply({ ...body, messages: body.messages.slice(0, -1) }, b);
    const promptText = body.messages.map((m) => textOf(m.content)).join(" ");
    const text = whole.text?.startsWith(prefill) ? whole.text.slice(prefill.length) : whole.text;
    const completionTokens = Math.max(1, Math.ceil((text ?? "").length / 4));
    return { ...whole, text, promptTokens: Math.max(1, Math.ceil(promptText.length / 4)), completionTokens };
  }
  const promptText = body.messages.map((m) => textOf(m.content)).join(" ");
  const promptTokens = Math.max(1, Math.ceil(promptText.length / 4));
  const tools = body.tools ?? [];
  if (tools.length > 0 && last?.role === "user" && body.tool_choice !== "none") {
    const said = textOf(last.content);
    let chosen = tools.filter((t) => said.includes(t.function.name));
    const forced = body.tool_choice as { function?: { name?: string } } | undefined;
    if (forced?.function?.name) chosen = tools.filter((t) => t.function.name === forced.function?.name);
    if (chosen.length === 0) chosen = [tools[0] as Tool];
    if (body.parallel_tool_calls === false) chosen = chosen.slice(0, 1);
    const toolCalls = chosen.map((t, i) => ({
      id: `call_${newId("")}${i}`,
      name: t.function.name,
      arguments: JSON.stringify({ query: said.slice(0, 60), n: i }),
    }));
    return { text: null, toolCalls, finish: "tool_calls", promptTokens, completionTokens: 12 * toolCalls.length };
  }
  const text = b.text ?? (last?.role === "tool" ? `Tool said: ${textOf(last.content)}` : `Echo: ${textOf(last?.content)}`);
  let completionTokens = Math.max(1, Math.ceil(text.length / 4));
  let finish: PlannedReply["finish"] = "stop";
  let out = text;
  if (body.max_tokens && completionTokens > body.max_tokens) {
    out = text.slice(0, body.max_tokens * 4);
    completionTokens = body.max_tokens;
    finish = "length";
  }
  return { text: out, toolCalls: [], finish, promptTokens, completionTokens, ...(b.reasoning ? { reasoning: b.reasoning } : {}) };
}

export function openAIUsage(p: PlannedReply) {
  return {
    prompt_tokens: p.promptTokens,
    completion_tokens: p.completionTokens,
    total_tokens: p.promptTokens + p.completionTokens,
    prompt_tokens_details: { cached_tokens: p.cachedTokens ?? 0, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  };
}

export function openAICompletion(body: OpenAIChatBody, p: PlannedReply) {
  return {
    id: newId("chatcmpl-"),
    object: "chat.completion",
    created: Math.floor(Date.now() / 1000),
    model: body.model,
    choices: [
      {
        index: 0,
        message: {
          role: "assistant",
          content: p.text,
          ...(p.reasoning ? { reasoning_content: p.reasoning } : {}),
          refusal: null,
          annotations: [],
          ...(p.toolCalls.length
            ? { tool_calls: p.toolCalls.map((c) => ({ id: c.id, type: "function", function: { name: c.name, arguments: c.arguments } })) }
            : {}),
        },
        logprobs: null,
        finish_reason: p.finish,
      },
    ],
    usage: openAIUsage(p),
    service_tier: "default",
    system_fingerprint: "fp_mock_upstream",
  };
}

/** The chunk sequence OpenAI streams for a reply, as SSE strings. */
export function openAIChunks(body: OpenAIChatBody, p: PlannedReply, usageOnLastChunk = false): string[] {
  const includeUsage = !usageOnLastChunk && body.stream_options?.include_usage === true;
  const base = {
    id: newId("chatcmpl-"),
    object: "chat.completion.chunk",
    created: Math.floor(Date.now() / 1000),
    model: body.model,
    service_tier: "default",
    system_fingerprint: "fp_mock_upstream",
  };
  const chunk = (delta: object, finish: string | null) =>
    `data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }], ...(includeUsage ? { usage: null } : {}) })}\n\n`;
  const out: string[] = [chunk({ role: "assistant", content: p.toolCalls.length ? null : "", refusal: null }, null)];
  if (p.reasoning) for (const piece of p.reasoning.match(/.{1,8}/gs) ?? []) out.push(chunk({ reasoning_content: piece }, null));
  if (p.text) for (const piece of p.text.match(/.{1,8}/gs) ?? []) out.push(chunk({ content: piece }, null));
  p.toolCalls.forEach((c, index) => {
    out.push(chunk({ tool_calls: [{ index, id: c.id, type: "function", function: { name: c.name, arguments: "" } }] }, null));
    for (const piece of c.arguments.match(/.{1,10}/gs) ?? [])
      out.push(chunk({ tool_calls: [{ index, function: { arguments: piece } }] }, null));
  });
  if (usageOnLastChunk)
    // Mistral: usage rides on the chunk that finishes, stream_options or not.
    out.push(
      `data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta: {}, finish_reason: p.finish }], usage: openAIUsage(p) })}\n\n`,
    );
  else out.push(chunk({}, p.finish));
  if (includeUsage) out.push(`data: ${JSON.stringify({ ...base, choices: [], usage: openAIUsage(p) })}\n\n`);
  out.push("data: [DONE]\n\n");
  return out;
}

const errorTypes: Record<number, [string, string | null]> = {
  400: ["invalid_request_error", null],
  401: ["invalid_request_error", "invalid_api_key"],
  403: ["invalid_request_error", "unsupported_country_region_territory"],
  404: ["invalid_request_error", "model_not_found"],
  429: ["requests", "rate_limit_exceeded"],
  500: ["server_error", null],
  503: ["server_error", null],
};

export function sendOpenAIError(res: ServerResponse, b: MockBehavior, status: number): void {
  const [type, code] = errorTypes[status] ?? (status >= 500 ? ["server_error", null] : ["invalid_request_error", null]);
  const body = JSON.stringify({
    error: { message: b.message ?? `Mock upstream error ${status}`, type: b.errorType ?? type, param: null, code: b.errorCode ?? code },
  });
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(body), ...b.headers });
  res.end(body);
}

export function openAIModelList(models: string[]) {
  return { object: "list", data: models.map((id) => ({ id, object: "model", created: 1715367049, owned_by: "system" })) };
}

export function openAIEmbeddings(body: { model: string; input: unknown }) {
  const inputs = Array.isArray(body.input) && typeof body.input[0] !== "number" ? (body.input as unknown[]) : [body.input];
  const data = inputs.map((inp, index) => {
    const s = typeof inp === "string" ? inp : JSON.stringify(inp);
    const embedding = Array.from({ length: 8 }, (_, i) => Math.round(Math.sin(s.length + i) * 1e6) / 1e6);
    return { object: "embedding", index, embedding };
  });
  const tokens = inputs.reduce<number>((n, i) => n + Math.max(1, Math.ceil(String(i).length / 4)), 0);
  return { object: "list", data, model: body.model, usage: { prompt_tokens: tokens, total_tokens: tokens } };
}

/** A 1x1 transparent PNG: what the mock returns as `b64_json` when there is no input image to echo. */
export const MOCK_PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==",
  "base64",
);

/** A file the mock received in a multipart body. */
export interface MockFormFile {
  /** Field name (`image`, `image[]`, `mask`). */
  field: string;
  filename: string;
  type: string;
  data: Buffer;
}

/** A multipart/form-data body as the mock recorded it (parsed by the platform's own FormData parser). */
export interface MockForm {
  kind: "multipart";
  /** Text fields; a repeated field keeps its first value. */
  fields: Record<string, string>;
  files: MockFormFile[];
}

/** Parses multipart with undici's `Response.formData()`, independent of the router's own parser. Undefined when malformed. */
export async function readMockForm(raw: Buffer, contentType: string): Promise<MockForm | undefined> {
  let fd: FormData;
  try {
    fd = await new Response(new Uint8Array(raw), { headers: { "content-type": contentType } }).formData();
  } catch {
    return undefined;
  }
  const form: MockForm = { kind: "multipart", fields: {}, files: [] };
  for (const [field, v] of fd.entries()) {
    if (typeof v === "string") {
      if (!(field in form.fields)) form.fields[field] = v;
    } else form.files.push({ field, filename: v.name, type: v.type, data: Buffer.from(await v.arrayBuffer()) });
  }
  return form;
}

export function isMockForm(body: unknown): body is MockForm {
  return typeof body === "object" && body !== null && (body as { kind?: unknown }).kind === "multipart";
}

/** OpenAI's 400 for a bad images request. */
export function openAIImageError(message: string, param: string | null, code: string | null = null) {
  return { error: { message, type: "invalid_request_error", param, code } };
}

/**
 * OpenAI's images response. dall-e models answer with `url` unless asked for `b64_json` (dall-e-3
 * generations add `revised_prompt`); gpt-image models always answer `b64_json` and report token usage.
 * `b64_json` is the first input image, echoed, so a test can see the bytes made the trip.
 */
export function openAIImagesResponse(opts: {
  model: string;
  prompt?: string;
  n?: string | number;
  responseFormat?: string;
  echo?: Buffer;
  generation?: boolean;
}) {
  const n = Math.max(1, Math.min(10, Number(opts.n ?? 1) || 1));
  const gptImage = opts.model.startsWith("gpt-image");
  const b64 = gptImage || opts.responseFormat === "b64_json";
  const created = Math.floor(Date.now() / 1000);
  const data = Array.from({ length: n }, () => ({
    ...(b64
      ? { b64_json: (opts.echo ?? MOCK_PNG).toString("base64") }
      : { url: `https://mock-upstream.invalid/images/${newId("img-")}.png` }),
    ...(opts.generation && opts.model === "dall-e-3" ? { revised_prompt: `Revised: ${opts.prompt ?? ""}` } : {}),
  }));
  if (!gptImage) return { created, data };
  const input = Math.max(1, Math.ceil((opts.prompt ?? "").length / 4));
  return {
    created,
    background: "opaque",
    data,
    output_format: "png",
    quality: "low",
    size: "1024x1024",
    usage: {
      input_tokens: input,
      input_tokens_details: { image_tokens: opts.echo ? 194 : 0, text_tokens: input },
      output_tokens: 272 * n,
      total_tokens: input + 272 * n,
    },
  };
}
