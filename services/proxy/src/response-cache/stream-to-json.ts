import type { OpenAIUsage } from "@ai-router/contracts";

type Json = Record<string, unknown>;

/** The `data:` payloads of an event stream, parsed (`[DONE]` and unreadable ones left out). */
function events(sse: string): Json[] {
  const out: Json[] = [];
  for (const line of sse.split(/\r?\n/)) {
    if (!line.startsWith("data:")) continue;
    const text = line.slice(5).trim();
    if (text === "" || text === "[DONE]") continue;
    try {
      const v = JSON.parse(text) as unknown;
      if (v !== null && typeof v === "object" && !Array.isArray(v)) out.push(v as Json);
    } catch {
      // not an event of ours
    }
  }
  return out;
}

/**
 * A cached stream assembled into the JSON answer the same request without `stream` gets, in the
 * client's format; `usage` (kept with the entry) fills in a stream that carried none. Undefined: the
 * stream is not one this release can assemble (the request is then a miss).
 */
export function streamToJson(format: string, sse: string, usage: OpenAIUsage | undefined): string | undefined {
  const evs = events(sse);
  if (evs.length === 0) return undefined;
  switch (format) {
    case "openai-chat":
      return JSON.stringify(chatCompletion(evs, usage));
    case "anthropic-messages":
      return messagesJson(evs);
    case "openai-responses": {
      const done = evs.findLast((e) => e.type === "response.completed" || e.type === "response.incomplete");
      return done?.response === undefined ? undefined : JSON.stringify(done.response);
    }
    case "gemini":
      return JSON.stringify(geminiJson(evs));
    default:
      return undefined;
  }
}

interface ChoiceAcc {
  index: number;
  message: Json & { content: string | null; tool_calls?: Json[] };
  finish_reason: unknown;
}

function chatCompletion(evs: Json[], usage: OpenAIUsage | undefined): Json {
  const first = evs[0] as Json;
  const choices = new Map<number, ChoiceAcc>();
  let streamUsage: unknown;
  for (const e of evs) {
    if (e.usage) streamUsage = e.usage;
    for (const c of (e.choices ?? []) as Json[]) {
      const index = typeof c.index === "number" ? c.index : 0;
      let acc = choices.get(index);
      if (acc === undefined) {
        acc = { index, message: { role: "assistant", content: null }, finish_reason: null };
        choices.set(index, acc);
      }
      const d = (c.delta ?? {}) as Json;
      for (const [k, v] of Object.entries(d)) {
        if (v === null || v === undefined || k === "role") continue;
        if (k === "tool_calls") addToolCalls(acc.message, v as Json[]);
        else if (typeof v === "string") acc.message[k] = ((acc.message[k] as string | null | undefined) ?? "") + v;
        else acc.message[k] = v;
      }
      if (c.finish_reason) acc.finish_reason = c.finish_reason;
    }
  }
  const out: Json = {
    id: first.id,
    object: "chat.completion",
    created: first.created,
    model: first.model,
    choices: [...choices.values()].map((c) => ({ index: c.index, message: c.message, logprobs: null, finish_reason: c.finish_reason })),
  };
  if (first.system_fingerprint !== undefined) out.system_fingerprint = first.system_fingerprint;
  const u = streamUsage ?? usage;
  if (u !== undefined) out.usage = u;
  return out;
}

function addToolCalls(message: ChoiceAcc["message"], deltas: Json[]): void {
  message.tool_calls ??= [];
  for (const t of deltas) {
    const i = typeof t.index === "number" ? t.index : 0;
    const fn = (t.function ?? {}) as Json;
    let call = message.tool_calls[i];
    if (call === undefined) {
      call = { id: t.id, type: t.type ?? "function", function: { name: fn.name ?? "", arguments: "" } };
      message.tool_calls[i] = call;
    }
    const f = call.function as Json;
    if (typeof fn.name === "string" && f.name === "") f.name = fn.name;
    if (typeof fn.arguments === "string") f.arguments = (f.arguments as string) + fn.arguments;
    if (t.id !== undefined && call.id === undefined) call.id = t.id;
  }
}

/** Anthropic: message_start's message, each block from its start and deltas, message_delta's stop and usage. */
function messagesJson(evs: Json[]): string | undefined {
  const start = evs.find((e) => e.type === "message_start")?.message as Json | undefined;
  if (start === undefined) return undefined;
  const msg: Json = Object.assign({}, start);
  const blocks: Json[] = [];
  const partial = new Map<number, string>();
  for (const e of evs) {
    const index = typeof e.index === "number" ? e.index : 0;
    if (e.type === "content_block_start") blocks[index] = Object.assign({}, e.content_block as Json);
    else if (e.type === "content_block_delta") {
      const b = blocks[index];
      const d = (e.delta ?? {}) as Json;
      if (b === undefined) continue;
      if (d.type === "text_delta") b.text = ((b.text as string) ?? "") + (d.text as string);
      else if (d.type === "thinking_delta") b.thinking = ((b.thinking as string) ?? "") + (d.thinking as string);
      else if (d.type === "signature_delta") b.signature = d.signature;
      else if (d.type === "input_json_delta") partial.set(index, (partial.get(index) ?? "") + (d.partial_json as string));
    } else if (e.type === "message_delta") {
      Object.assign(msg, e.delta as Json);
      msg.usage = Object.assign({}, msg.usage as Json, e.usage as Json);
    }
  }
  for (const [index, json] of partial) {
    const b = blocks[index];
    if (b === undefined) continue;
    try {
      b.input = json === "" ? {} : JSON.parse(json);
    } catch {
      return undefined;
    }
  }
  msg.content = blocks.filter((b) => b !== undefined);
  return JSON.stringify(msg);
}

/** Gemini: the chunks' parts in one candidate (consecutive text joined), the last chunk's finish and usage. */
function geminiJson(evs: Json[]): Json {
  const last = evs.at(-1) as Json;
  const parts: Json[] = [];
  let role = "model";
  let finishReason: unknown;
  for (const e of evs) {
    const c = ((e.candidates ?? []) as Json[])[0];
    if (c === undefined) continue;
    const content = (c.content ?? {}) as Json;
    if (typeof content.role === "string") role = content.role;
    for (const p of (content.parts ?? []) as Json[]) {
      const prev = parts.at(-1);
      if (
        typeof p.text === "string" &&
        prev !== undefined &&
        typeof prev.text === "string" &&
        Object.keys(p).length === 1 &&
        Object.keys(prev).length === 1
      ) {
        prev.text += p.text;
      } else parts.push(Object.assign({}, p));
    }
    if (c.finishReason !== undefined) finishReason = c.finishReason;
  }
  return Object.assign({}, last, { candidates: [{ content: { role, parts }, finishReason, index: 0 }] });
}
