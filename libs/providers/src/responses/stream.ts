import type { ChatStreamTranslator } from "../adapter.js";
import { type ChatChunk, ChatChunkEncoder, type ChatChunkToolCall } from "../chat-chunk-encoder.js";
import { responseError } from "./error-code.js";
import {
  functionCallItem,
  messageItem,
  type ResponseContext,
  reasoningItem,
  responseObject,
  responsesId,
  statusOf,
  toResponsesUsage,
} from "./from-chat.js";

type Json = Record<string, unknown>;

interface OpenCall {
  id: string;
  outputIndex: number;
  callId: string;
  name: string;
  args: string;
  done: boolean;
}

/**
 * OpenAI chat chunks (what every adapter's stream translator produces) -> the Responses event stream:
 * `response.created`, `response.in_progress`, output items added/done with their content parts and
 * deltas, then `response.completed` / `response.incomplete` (or `error` + `response.failed`), each with
 * its `sequence_number`. Nothing is written before the first content, so an upstream failing before
 * its first token can still fail over.
 */
export class ResponsesStreamEncoder extends ChatChunkEncoder {
  private seq = 0;
  private started = false;
  private readonly output: Json[] = [];
  private reasoning: { id: string; index: number; text: string } | undefined;
  private message: { id: string; index: number; text: string } | undefined;
  private readonly calls = new Map<number, OpenCall>();
  private finishReason: string | null | undefined;
  /** The final Response object once the stream completed (kept by `store`). */
  final: Json | undefined;

  /**
   * @param lines each event as one line of JSON instead of an SSE event (for a consumer that frames
   * events itself, the WebSocket mode: no SSE text to write and parse again)
   */
  constructor(
    inner: ChatStreamTranslator,
    private readonly ctx: ResponseContext,
    private readonly lines = false,
  ) {
    super(inner);
  }

  /**
   * Reports a failure after the stream started: `error` (with the code as it is), then `response.failed`
   * (with a published code, ours in `router_code`).
   */
  fail(message: string, code: string | null): string {
    if (this.done) return "";
    this.done = true;
    let out = this.event("error", { code, message, param: null });
    this.final = responseObject(this.ctx, "failed", this.output, { error: responseError(message, code) });
    out += this.event("response.failed", { response: this.final });
    return out;
  }

  protected onError(error: NonNullable<ChatChunk["error"]>): string {
    return this.fail(error.message ?? "The provider reported an error.", error.code ?? error.type ?? null);
  }

  protected finish(): string {
    return this.flushRest() + this.completeEvents();
  }

  /** One event; the first one written is preceded by `response.created` and `response.in_progress`. */
  private event(type: string, body: Json): string {
    const pre = this.started ? "" : this.start();
    const ev = Object.assign({ type, sequence_number: this.seq++ }, body);
    return this.lines ? `${pre}${JSON.stringify(ev)}\n` : `${pre}event: ${type}\ndata: ${JSON.stringify(ev)}\n\n`;
  }

  private start(): string {
    this.started = true;
    const r = responseObject(this.ctx, "in_progress", []);
    return this.event("response.created", { response: r }) + this.event("response.in_progress", { response: r });
  }

  protected onChunk(c: ChatChunk): string {
    let out = "";
    const choice = c.choices?.[0];
    const d = choice?.delta;
    if (d) {
      if (d.reasoning_content) out += this.onReasoning(d.reasoning_content);
      if (d.content) out += this.onText(d.content);
      if (d.refusal) out += this.onText(d.refusal);
      for (const tc of d.tool_calls ?? []) out += this.onToolCall(tc);
    }
    if (choice?.finish_reason) this.finishReason = choice.finish_reason;
    return out;
  }

  private onReasoning(delta: string): string {
    let out = "";
    if (!this.reasoning) {
      out += this.closeMessage();
      this.reasoning = { id: responsesId("rs"), index: this.output.length, text: "" };
      this.output.push({ id: this.reasoning.id, type: "reasoning", summary: [] });
      const r = this.reasoning;
      out += this.event("response.output_item.added", { output_index: r.index, item: { id: r.id, type: "reasoning", summary: [] } });
      out += this.event("response.reasoning_summary_part.added", {
        item_id: r.id,
        output_index: r.index,
        summary_index: 0,
        part: { type: "summary_text", text: "" },
      });
    }
    const r = this.reasoning;
    r.text += delta;
    return out + this.event("response.reasoning_summary_text.delta", { item_id: r.id, output_index: r.index, summary_index: 0, delta });
  }

  private closeReasoning(): string {
    const r = this.reasoning;
    if (!r) return "";
    this.reasoning = undefined;
    const item = reasoningItem(this.ctx, r.id, r.text, this.inner.reasoningBlocks);
    this.output[r.index] = item;
    return (
      this.event("response.reasoning_summary_text.done", { item_id: r.id, output_index: r.index, summary_index: 0, text: r.text }) +
      this.event("response.reasoning_summary_part.done", {
        item_id: r.id,
        output_index: r.index,
        summary_index: 0,
        part: { type: "summary_text", text: r.text },
      }) +
      this.event("response.output_item.done", { output_index: r.index, item })
    );
  }

  private onText(delta: string): string {
    let out = "";
    if (!this.message) {
      out += this.closeReasoning() + this.closeCalls();
      this.message = { id: responsesId("msg"), index: this.output.length, text: "" };
      const m = this.message;
      this.output.push(messageItem(m.id, "", "in_progress"));
      out += this.event("response.output_item.added", {
        output_index: m.index,
        item: { id: m.id, type: "message", status: "in_progress", role: "assistant", content: [] },
      });
      out += this.event("response.content_part.added", {
        item_id: m.id,
        output_index: m.index,
        content_index: 0,
        part: { type: "output_text", text: "", annotations: [], logprobs: [] },
      });
    }
    const m = this.message;
    m.text += delta;
    return out + this.event("response.output_text.delta", { item_id: m.id, output_index: m.index, content_index: 0, delta, logprobs: [] });
  }

  private closeMessage(): string {
    const m = this.message;
    if (!m) return "";
    this.message = undefined;
    const item = messageItem(m.id, m.text);
    this.output[m.index] = item;
    return (
      this.event("response.output_text.done", { item_id: m.id, output_index: m.index, content_index: 0, text: m.text, logprobs: [] }) +
      this.event("response.content_part.done", {
        item_id: m.id,
        output_index: m.index,
        content_index: 0,
        part: { type: "output_text", text: m.text, annotations: [], logprobs: [] },
      }) +
      this.event("response.output_item.done", { output_index: m.index, item })
    );
  }

  private onToolCall(tc: ChatChunkToolCall): string {
    const index = tc.index ?? 0;
    let call = this.calls.get(index);
    let out = "";
    if (!call) {
      out += this.closeReasoning() + this.closeMessage() + this.closeCalls();
      call = {
        id: responsesId("fc"),
        outputIndex: this.output.length,
        callId: tc.id ?? responsesId("call"),
        name: tc.function?.name ?? "",
        args: "",
        done: false,
      };
      this.calls.set(index, call);
      const item = functionCallItem(this.ctx, call.id, call.callId, call.name, "", "in_progress");
      this.output.push(item);
      out += this.event("response.output_item.added", { output_index: call.outputIndex, item });
    } else if (tc.function?.name && !call.name) call.name = tc.function.name;
    const delta = tc.function?.arguments;
    if (delta) {
      call.args += delta;
      if (!call.done) {
        out += this.event("response.function_call_arguments.delta", { item_id: call.id, output_index: call.outputIndex, delta });
      }
    }
    return out;
  }

  private closeCalls(): string {
    let out = "";
    for (const call of this.calls.values()) {
      if (call.done) continue;
      call.done = true;
      const item = functionCallItem(this.ctx, call.id, call.callId, call.name, call.args);
      this.output[call.outputIndex] = item;
      out += this.event("response.function_call_arguments.done", {
        item_id: call.id,
        output_index: call.outputIndex,
        name: item.name,
        arguments: call.args,
      });
      out += this.event("response.output_item.done", { output_index: call.outputIndex, item });
    }
    return out;
  }

  private flushRest(): string {
    return this.closeReasoning() + this.closeMessage() + this.closeCalls();
  }

  private completeEvents(): string {
    this.done = true;
    // Arguments that arrived after a call was closed (interleaved calls) are in the final items.
    for (const call of this.calls.values())
      this.output[call.outputIndex] = functionCallItem(this.ctx, call.id, call.callId, call.name, call.args);
    const { status, incomplete_details } = statusOf(this.finishReason);
    this.final = responseObject(this.ctx, status, this.output, { incomplete_details, usage: toResponsesUsage(this.usage) });
    return this.event(status === "incomplete" ? "response.incomplete" : "response.completed", { response: this.final });
  }
}
