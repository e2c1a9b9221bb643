import type { OpenAIUsage } from "@ai-router/contracts";
import type { ChatStreamTranslator, UpstreamError } from "../adapter.js";
import { chunkEvent, errorEvent, ROLE_DELTA, usageEvent } from "../openai-chunks.js";
import { parseSseEvent, SseEventReader } from "../sse.js";
import type { AnthropicBlock, AnthropicUsage } from "./api.js";
import { anthropicStatus, toAnthropicUpstreamError } from "./errors.js";
import { mapFinishReason, toOpenAIUsage } from "./to-openai.js";

interface StreamEvent {
  type: string;
  index?: number;
  message?: { id?: string; model?: string; usage?: Partial<AnthropicUsage> };
  content_block?: { type: string; id?: string; name?: string; text?: string; thinking?: string; signature?: string; data?: string };
  delta?: { type?: string; text?: string; partial_json?: string; thinking?: string; signature?: string; stop_reason?: string | null };
  usage?: Partial<AnthropicUsage>;
  error?: { type?: string; message?: string };
}

/**
 * Anthropic Messages event stream -> OpenAI `chat.completion.chunk` SSE. Each `tool_use` block gets the
 * next `tool_calls[].index` (0, 1, ... in block order), whatever its Anthropic block index; thinking
 * becomes `reasoning_content`; `message_delta` gives the final `finish_reason` chunk; a usage chunk
 * (`choices: []`) follows when the client asked for one.
 */
export class AnthropicStreamTranslator implements ChatStreamTranslator {
  private readonly events = new SseEventReader();
  /** Anthropic block index -> OpenAI tool call index. */
  private readonly toolIndex = new Map<number, number>();
  private id = "";
  private model: string;
  private readonly created = Math.floor(Date.now() / 1000);
  private raw: Partial<AnthropicUsage> = {};
  private done = false;
  private roleSent = false;
  usage: OpenAIUsage | undefined;
  error: UpstreamError | undefined;
  /** Thinking blocks with their signatures, as Anthropic needs them back on the next turn. */
  readonly reasoningBlocks: AnthropicBlock[] = [];
  /** Anthropic block index -> its thinking block (while it streams). */
  private readonly thinking = new Map<number, { type: "thinking"; thinking: string; signature: string }>();

  constructor(
    private readonly includeUsage: boolean,
    model: string,
  ) {
    this.model = model;
  }

  push(chunk: Buffer): string {
    return this.events.map(chunk, (raw) => this.onEvent(raw));
  }

  end(): string {
    let out = this.events.flush((raw) => this.onEvent(raw));
    if (!this.done && !this.error) out += "data: [DONE]\n\n";
    this.done = true;
    return out;
  }

  private chunk(delta: object, finish: string | null = null): string {
    const head = { id: this.id, created: this.created, model: this.model };
    let role = "";
    if (!this.roleSent) {
      this.roleSent = true;
      role = chunkEvent(head, 0, ROLE_DELTA, null, this.includeUsage);
    }
    return role + chunkEvent(head, 0, delta, finish, this.includeUsage);
  }

  private onEvent(raw: string): string {
    const { event, data } = parseSseEvent(raw);
    if (!data || this.done) return "";
    let ev: StreamEvent;
    try {
      ev = JSON.parse(data) as StreamEvent;
    } catch {
      return "";
    }
    switch (event ?? ev.type) {
      case "message_start": {
        this.id = ev.message?.id ?? this.id;
        this.model = ev.message?.model ?? this.model;
        this.addUsage(ev.message?.usage);
        return ""; // the role chunk waits for content, so an error event right after can still fail over
      }
      case "content_block_start": {
        const b = ev.content_block;
        if (b?.type === "tool_use") {
          const index = this.toolIndex.size;
          this.toolIndex.set(ev.index ?? -1, index);
          return this.chunk({ tool_calls: [{ index, id: b.id, type: "function", function: { name: b.name, arguments: "" } }] });
        }
        if (b?.type === "text" && b.text) return this.chunk({ content: b.text });
        if (b?.type === "thinking") {
          const block = { type: "thinking" as const, thinking: b.thinking ?? "", signature: b.signature ?? "" };
          this.thinking.set(ev.index ?? -1, block);
          this.reasoningBlocks.push(block);
          if (b.thinking) return this.chunk({ reasoning_content: b.thinking });
        }
        if (b?.type === "redacted_thinking" && b.data) this.reasoningBlocks.push({ type: "redacted_thinking", data: b.data });
        return "";
      }
      case "content_block_delta": {
        const d = ev.delta;
        if (d?.type === "text_delta") return this.chunk({ content: d.text ?? "" });
        if (d?.type === "thinking_delta") {
          const block = this.thinking.get(ev.index ?? -1);
          if (block) block.thinking += d.thinking ?? "";
          return this.chunk({ reasoning_content: d.thinking ?? "" });
        }
        if (d?.type === "signature_delta") {
          const block = this.thinking.get(ev.index ?? -1);
          if (block) block.signature += d.signature ?? "";
          return "";
        }
        if (d?.type === "input_json_delta") {
          const index = this.toolIndex.get(ev.index ?? -1);
          if (index === undefined || !d.partial_json) return "";
          return this.chunk({ tool_calls: [{ index, function: { arguments: d.partial_json } }] });
        }
        return ""; // signature_delta, citations_delta: no OpenAI equivalent in a chunk
      }
      case "message_delta": {
        this.addUsage(ev.usage);
        const reason = ev.delta?.stop_reason;
        return reason === undefined ? "" : this.chunk({}, mapFinishReason(reason));
      }
      case "message_stop": {
        this.done = true;
        const usage = this.includeUsage && this.usage ? this.usageChunk() : "";
        return `${usage}data: [DONE]\n\n`;
      }
      case "error": {
        const type = ev.error?.type;
        this.error = toAnthropicUpstreamError(anthropicStatus(type), ev);
        this.done = true;
        return errorEvent(this.error);
      }
      default:
        return ""; // ping, content_block_stop
    }
  }

  private usageChunk(): string {
    return usageEvent({ id: this.id, created: this.created, model: this.model }, this.usage);
  }

  /** message_start carries input and cache counts; message_delta carries cumulative totals. */
  private addUsage(u: Partial<AnthropicUsage> | undefined): void {
    if (!u) return;
    for (const k of Object.keys(u) as (keyof AnthropicUsage)[]) {
      if (u[k] != null) (this.raw as Record<string, unknown>)[k] = u[k];
    }
    this.usage = toOpenAIUsage(this.raw);
  }
}
