import type { OpenAIUsage } from "@ai-router/contracts";
import type { ChatStreamTranslator, UpstreamError } from "./adapter.js";
import { parseSseEvent, SseEventReader } from "./sse.js";

/** One OpenAI `chat.completion.chunk` as a target's stream translator writes it (the fields read). */
export interface ChatChunk {
  choices?: { delta?: ChatChunkDelta; finish_reason?: string | null }[];
  usage?: OpenAIUsage | null;
  error?: { message?: string; type?: string; code?: string | null; param?: string | null };
}

export interface ChatChunkDelta {
  content?: string | null;
  reasoning_content?: string | null;
  refusal?: string | null;
  tool_calls?: ChatChunkToolCall[];
}

export interface ChatChunkToolCall {
  index?: number;
  id?: string;
  function?: { name?: string; arguments?: string };
  /** Gemini's thought signature, carried on a call through the chat form. */
  extra_content?: { google?: { thought_signature?: string } };
}

/**
 * Re-encodes the OpenAI chat chunks a target's own translator (`inner`) writes into another front-door
 * stream format (Responses, Gemini). Usage and in-band errors stay the inner translator's; usage found
 * in the chunks is the fallback. Once `done` (finished or failed), nothing more is written.
 */
export abstract class ChatChunkEncoder implements ChatStreamTranslator {
  private readonly reader = new SseEventReader();
  private chunkUsage: OpenAIUsage | undefined;
  /** The stream is over (completed, or an error was written): the rest is dropped. */
  protected done = false;

  constructor(protected readonly inner: ChatStreamTranslator) {}

  get usage(): OpenAIUsage | undefined {
    return this.inner.usage ?? this.chunkUsage;
  }
  get error(): UpstreamError | undefined {
    return this.inner.error;
  }
  get complete(): boolean | undefined {
    return this.inner.complete;
  }

  push(chunk: Buffer): string {
    const out = this.inner.push(chunk);
    if (out.length === 0 || this.done) return "";
    return this.translate(out);
  }

  end(): string {
    if (this.done) return "";
    const rest = this.inner.end();
    let out = rest.length > 0 ? this.translate(rest) : "";
    out += this.reader.flush((raw) => this.onRaw(raw));
    return this.done ? out : out + this.finish();
  }

  /** An error chunk: what reports it to the client (the subclass sets `done`). */
  protected abstract onError(error: NonNullable<ChatChunk["error"]>): string;
  /** One content chunk: the events it makes. */
  protected abstract onChunk(c: ChatChunk): string;
  /** The upstream ended cleanly: the closing events. */
  protected abstract finish(): string;

  private translate(out: string | Buffer): string {
    return this.reader.map(Buffer.isBuffer(out) ? out : Buffer.from(out), (raw) => this.onRaw(raw));
  }

  private onRaw(raw: string): string {
    const { data } = parseSseEvent(raw);
    if (!data || data === "[DONE]" || this.done) return "";
    let c: ChatChunk;
    try {
      c = JSON.parse(data) as ChatChunk;
    } catch {
      return "";
    }
    if (c.error) return this.onError(c.error);
    if (c.usage) this.chunkUsage = c.usage;
    return this.onChunk(c);
  }
}
