import type { OpenAIUsage } from "@ai-router/contracts";
import type { ChatStreamTranslator, UpstreamError } from "../adapter.js";
import { parseSseEvent, SseSplitter, sseEvent } from "../sse.js";
import type { AnthropicStopReason } from "./api.js";
import { mapStopReason, toAnthropicError, toAnthropicUsage, toMessageId } from "./to-anthropic-message.js";

interface Chunk {
  id?: string;
  model?: string;
  choices?: {
    delta?: {
      content?: string | null;
      reasoning_content?: string | null;
      tool_calls?: { index?: number; id?: string; function?: { name?: string; arguments?: string } }[];
    };
    finish_reason?: string | null;
  }[];
  error?: { message?: string; code?: string | null };
}

type Open = { kind: "text" | "thinking"; index: number } | undefined;

/**
 * OpenAI SSE (as produced by a target's own translator) -> Anthropic Messages event stream:
 * message_start, content blocks (thinking, text, tool_use with input_json_delta), message_delta with
 * stop_reason and usage, message_stop. Text and thinking blocks close when another block opens; tool
 * blocks stay open until the finish so interleaved deltas of parallel calls still land in their block.
 */
export class OpenAIToAnthropicStream implements ChatStreamTranslator {
  private readonly splitter = new SseSplitter();
  private started = false;
  private finished = false;
  private nextIndex = 0;
  private open: Open;
  /** OpenAI tool call index -> Anthropic block index, for calls whose block is still open. */
  private readonly tools = new Map<number, number>();
  private stopReason: AnthropicStopReason = "end_turn";
  /** The input tokens message_start said; `warnings` says when they were estimated. */
  private inputTokens = 0;
  warnings: string[] | undefined;

  /**
   * @param estimateInput the prompt's estimated input tokens, for `message_start` when the upstream has
   * not said them by its first event (OpenAI-style streams report usage only at the end).
   */
  constructor(
    private readonly inner: ChatStreamTranslator,
    private readonly model: string,
    private readonly estimateInput?: () => number,
  ) {}

  get usage(): OpenAIUsage | undefined {
    return this.inner.usage;
  }

  get error(): UpstreamError | undefined {
    return this.inner.error;
  }

  push(chunk: Buffer): string {
    return this.translate(this.inner.push(chunk));
  }

  end(): string {
    const out = this.translate(this.inner.end());
    return out + (this.finished ? "" : this.finish());
  }

  private translate(openai: string | Buffer): string {
    if (openai.length === 0) return "";
    let out = "";
    for (const raw of this.splitter.push(typeof openai === "string" ? openai : openai.toString("utf8"))) {
      out += this.onEvent(raw);
    }
    return out;
  }

  private onEvent(raw: string): string {
    if (this.finished) return "";
    const { data } = parseSseEvent(raw);
    if (data === "[DONE]") return this.finish();
    if (!data) return "";
    let c: Chunk;
    try {
      c = JSON.parse(data) as Chunk;
    } catch {
      return "";
    }
    if (c.error) {
      this.finished = true;
      const e = this.inner.error;
      const { body } = toAnthropicError(e?.status ?? 500, e?.message ?? c.error.message ?? "upstream error", e?.code ?? null);
      return this.start(c) + sseEvent("error", body);
    }
    let out = this.start(c);
    const choice = c.choices?.[0];
    const d = choice?.delta;
    if (d?.reasoning_content) out += this.delta("thinking", { type: "thinking_delta", thinking: d.reasoning_content });
    if (d?.content) out += this.delta("text", { type: "text_delta", text: d.content });
    for (const t of d?.tool_calls ?? []) out += this.toolDelta(t);
    if (choice?.finish_reason) {
      this.stopReason = mapStopReason(choice.finish_reason);
      out += this.closeAll();
    }
    return out;
  }

  /**
   * message_start, with the prompt's input tokens before the first byte of output (Claude Code reads
   * its context use from it): the upstream's count when it already gave one, else the estimate
   * (`x-router-warnings: estimated:input_tokens`).
   */
  private start(c: Chunk): string {
    if (this.started) return "";
    this.started = true;
    const known = this.inner.usage;
    if (known !== undefined && known.prompt_tokens > 0) this.inputTokens = toAnthropicUsage(known).input_tokens;
    else if (this.estimateInput !== undefined) {
      this.inputTokens = this.estimateInput();
      this.warnings = ["estimated:input_tokens"];
    }
    const cacheRead = known?.prompt_tokens_details?.cached_tokens ?? 0;
    const message = {
      id: toMessageId(c.id),
      type: "message",
      role: "assistant",
      model: c.model ?? this.model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { input_tokens: this.inputTokens, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: cacheRead },
    };
    return sseEvent("message_start", { type: "message_start", message }) + sseEvent("ping", { type: "ping" });
  }

  private delta(kind: "text" | "thinking", delta: object): string {
    let out = "";
    if (this.open?.kind !== kind) {
      out += this.closeAll();
      const index = this.nextIndex++;
      this.open = { kind, index };
      const block = kind === "text" ? { type: "text", text: "" } : { type: "thinking", thinking: "", signature: "" };
      out += sseEvent("content_block_start", { type: "content_block_start", index, content_block: block });
    }
    return out + sseEvent("content_block_delta", { type: "content_block_delta", index: (this.open as { index: number }).index, delta });
  }

  private toolDelta(t: NonNullable<NonNullable<NonNullable<Chunk["choices"]>[number]["delta"]>["tool_calls"]>[number]): string {
    const key = t.index ?? 0;
    let out = "";
    let index = this.tools.get(key);
    if (index === undefined) {
      out += this.closeOpen();
      index = this.nextIndex++;
      this.tools.set(key, index);
      const block = { type: "tool_use", id: t.id ?? `toolu_${index}`, name: t.function?.name ?? "", input: {} };
      out += sseEvent("content_block_start", { type: "content_block_start", index, content_block: block });
    }
    const args = t.function?.arguments;
    if (args) {
      out += sseEvent("content_block_delta", {
        type: "content_block_delta",
        index,
        delta: { type: "input_json_delta", partial_json: args },
      });
    }
    return out;
  }

  /** Closes the open text/thinking block. */
  private closeOpen(): string {
    if (!this.open) return "";
    const index = this.open.index;
    this.open = undefined;
    return sseEvent("content_block_stop", { type: "content_block_stop", index });
  }

  private closeAll(): string {
    let out = this.closeOpen();
    for (const index of [...this.tools.values()].sort((a, b) => a - b)) {
      out += sseEvent("content_block_stop", { type: "content_block_stop", index });
    }
    this.tools.clear();
    return out;
  }

  private finish(): string {
    if (this.finished) return "";
    this.finished = true;
    if (this.inner.error) return "";
    const usage = toAnthropicUsage(this.inner.usage);
    // An upstream that never said its input keeps the count message_start gave.
    if (usage.input_tokens === 0 && usage.cache_read_input_tokens === 0) usage.input_tokens = this.inputTokens;
    return (
      this.start({}) +
      this.closeAll() +
      sseEvent("message_delta", {
        type: "message_delta",
        delta: { stop_reason: this.stopReason, stop_sequence: null },
        usage: {
          input_tokens: usage.input_tokens,
          output_tokens: usage.output_tokens,
          cache_creation_input_tokens: usage.cache_creation_input_tokens,
          cache_read_input_tokens: usage.cache_read_input_tokens,
        },
      }) +
      sseEvent("message_stop", { type: "message_stop" })
    );
  }
}
