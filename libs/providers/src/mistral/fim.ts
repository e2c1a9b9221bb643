import type { OpenAIUsage } from "@ai-router/contracts";
import type { ChatStreamTranslator, StreamingPassthroughEndpoint, UpstreamError } from "../adapter.js";
import { postJson } from "../openai-base/api.js";
import { toUpstreamError } from "../openai-base/errors.js";
import { normalizeUsage } from "../openai-base/usage.js";
import { parseSseEvent, SseEventReader } from "../sse.js";

/** Fields of a legacy completion request that Mistral's FIM endpoint takes (it refuses any other). */
const FIM_FIELDS = ["prompt", "suffix", "max_tokens", "min_tokens", "temperature", "top_p", "stream", "stop"];

interface ChatLike {
  id?: string;
  created?: number;
  model?: string;
  choices?: { index?: number; message?: { content?: unknown }; delta?: { content?: unknown }; finish_reason?: unknown }[];
  usage?: unknown;
  error?: unknown;
}

const text = (v: unknown): string => (typeof v === "string" ? v : "");

/** A chat-shaped FIM answer (or chunk) as OpenAI's `text_completion`. */
function toTextCompletion(c: ChatLike, chunk: boolean): Record<string, unknown> {
  const choices = (c.choices ?? []).map((ch, i) => ({
    index: ch.index ?? i,
    text: text(chunk ? ch.delta?.content : ch.message?.content),
    logprobs: null,
    finish_reason: ch.finish_reason ?? null,
  }));
  const out: Record<string, unknown> = {
    id: c.id ?? "cmpl-fim",
    object: "text_completion",
    created: c.created ?? 0,
    model: c.model,
    choices,
  };
  const u = normalizeUsage(c.usage);
  if (u) out.usage = u;
  return out;
}

/** Mistral's FIM event stream (chat chunks) as OpenAI's legacy completion chunks. */
class FimStream implements ChatStreamTranslator {
  private readonly events = new SseEventReader();
  usage: OpenAIUsage | undefined;
  error: UpstreamError | undefined;
  complete = false;

  push(chunk: Buffer): string {
    return this.events.map(chunk, (raw) => this.event(raw));
  }

  end(): string {
    return this.events.flush((raw) => this.event(raw));
  }

  private event(raw: string): string {
    const { data } = parseSseEvent(raw);
    if (data === "") return "";
    if (data === "[DONE]") {
      this.complete = true;
      return "data: [DONE]\n\n";
    }
    let c: ChatLike;
    try {
      c = JSON.parse(data) as ChatLike;
    } catch {
      return "";
    }
    if (c.error !== undefined) {
      this.error = toUpstreamError(500, c);
      return `data: ${data}\n\n`;
    }
    const u = normalizeUsage(c.usage);
    if (u) this.usage = u;
    return `data: ${JSON.stringify(toTextCompletion(c, true))}\n\n`;
  }
}

/**
 * Legacy completions on Mistral (Codestral): `POST /fim/completions` with the prompt and `suffix`,
 * answered in chat's shape and translated back to `text_completion`, JSON and SSE.
 */
export const mistralFim: StreamingPassthroughEndpoint = {
  build(body, target) {
    const out: Record<string, unknown> = { model: target.upstreamModel };
    for (const k of FIM_FIELDS) if (body[k] !== undefined && body[k] !== null) out[k] = body[k];
    if (Array.isArray(out.prompt)) out.prompt = out.prompt.join("");
    if (body.seed !== undefined) out.random_seed = body.seed;
    return postJson("/fim/completions", JSON.stringify(out), target, body.stream === true);
  },
  parse(body) {
    const c = JSON.parse(body.toString("utf8")) as ChatLike;
    return { body: Buffer.from(JSON.stringify(toTextCompletion(c, false))), usage: normalizeUsage(c.usage) };
  },
  createStream: () => new FimStream(),
};
