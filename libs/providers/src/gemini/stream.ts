import { randomBytes } from "node:crypto";
import type { OpenAIUsage } from "@ai-router/contracts";
import type { ChatStreamTranslator, UpstreamError } from "../adapter.js";
import { chunkEvent, errorEvent, ROLE_DELTA, usageEvent } from "../openai-chunks.js";
import { parseSseEvent, SseEventReader } from "../sse.js";
import type { GeminiCandidate, GeminiResponse } from "./api.js";
import { geminiErrorStatus, toGeminiUpstreamError } from "./errors.js";
import { mapFinishReason, toOpenAIToolCall, toOpenAIUsage } from "./to-openai.js";

/** What the translator remembers of one candidate (one OpenAI choice). */
interface ChoiceState {
  roleSent: boolean;
  toolCalls: number;
  finished: boolean;
}

/**
 * Gemini `streamGenerateContent?alt=sse` -> OpenAI `chat.completion.chunk` SSE. Every Gemini event is
 * a whole `GenerateContentResponse` with the next parts; there is no end marker, so the usage chunk
 * (when asked for) and `[DONE]` are written by `end()`. A function call arrives whole: it becomes one
 * `tool_calls` delta with its id, name and full arguments, and the next index of its choice. Usage
 * is cumulative in every event; the last one counts. `{"error":...}` in the stream is an in-band error.
 */
export class GeminiStreamTranslator implements ChatStreamTranslator {
  private readonly events = new SseEventReader();
  private readonly choices = new Map<number, ChoiceState>();
  private readonly created = Math.floor(Date.now() / 1000);
  private id: string | undefined;
  private model: string | undefined;
  private done = false;
  usage: OpenAIUsage | undefined;
  error: UpstreamError | undefined;

  constructor(
    private readonly includeUsage: boolean,
    private readonly fallbackModel: string,
  ) {}

  push(chunk: Buffer): string {
    return this.events.map(chunk, (raw) => this.onEvent(raw));
  }

  end(): string {
    let out = this.events.flush((raw) => this.onEvent(raw));
    if (this.done || this.error) return out;
    this.done = true;
    // A stream that ends without a finishReason still closes its choices (SDKs require one).
    for (const [index, s] of this.choices) if (!s.finished) out += this.chunk(index, {}, s.toolCalls > 0 ? "tool_calls" : "stop");
    if (this.includeUsage && this.usage) out += this.usageChunk();
    return `${out}data: [DONE]\n\n`;
  }

  private onEvent(raw: string): string {
    const { data } = parseSseEvent(raw);
    if (!data || this.done) return "";
    let ev: GeminiResponse & { error?: unknown };
    try {
      ev = JSON.parse(data) as GeminiResponse & { error?: unknown };
    } catch {
      return "";
    }
    if (ev.error) return this.onError(ev);
    this.id ??= ev.responseId ?? `chatcmpl-${randomBytes(12).toString("base64url")}`;
    this.model ??= ev.modelVersion ?? this.fallbackModel;
    if (ev.usageMetadata) this.usage = toOpenAIUsage(ev.usageMetadata);
    let out = "";
    const candidates = ev.candidates ?? [];
    candidates.forEach((c, i) => {
      out += this.onCandidate(c, c.index ?? i);
    });
    if (candidates.length === 0 && ev.promptFeedback?.blockReason && !this.choices.get(0)?.finished) {
      out += this.chunk(0, {}, "content_filter");
    }
    return out;
  }

  private onCandidate(c: GeminiCandidate, index: number): string {
    const s = this.state(index);
    if (s.finished) return "";
    let out = "";
    for (const p of c.content?.parts ?? []) {
      if (p.functionCall) {
        const { extra_content, ...call } = toOpenAIToolCall(p);
        const delta = { index: s.toolCalls++, ...call, ...(extra_content ? { extra_content } : {}) };
        out += this.chunk(index, { tool_calls: [delta] });
      } else if (typeof p.text === "string" && p.text !== "") {
        out += this.chunk(index, p.thought ? { reasoning_content: p.text } : { content: p.text });
      }
    }
    if (c.finishReason) {
      s.finished = true;
      out += this.chunk(index, {}, mapFinishReason(c.finishReason, s.toolCalls > 0));
    }
    return out;
  }

  private state(index: number): ChoiceState {
    let s = this.choices.get(index);
    if (!s) {
      s = { roleSent: false, toolCalls: 0, finished: false };
      this.choices.set(index, s);
    }
    return s;
  }

  /** One chunk of choice `index`; the first of each choice is preceded by the role chunk. */
  private chunk(index: number, delta: object, finish: string | null = null): string {
    const s = this.state(index);
    const head = { id: this.id, created: this.created, model: this.model };
    let role = "";
    if (!s.roleSent) {
      s.roleSent = true;
      role = chunkEvent(head, index, ROLE_DELTA, null, this.includeUsage);
    }
    return role + chunkEvent(head, index, delta, finish, this.includeUsage);
  }

  private usageChunk(): string {
    return usageEvent({ id: this.id, created: this.created, model: this.model }, this.usage);
  }

  private onError(ev: unknown): string {
    this.error = toGeminiUpstreamError(geminiErrorStatus(ev), ev);
    this.done = true;
    return errorEvent(this.error);
  }
}
