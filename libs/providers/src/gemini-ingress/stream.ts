import type { ChatStreamTranslator } from "../adapter.js";
import { type ChatChunk, ChatChunkEncoder } from "../chat-chunk-encoder.js";
import type { GeminiPart } from "../gemini/api.js";
import { functionCallPart, geminiContent, geminiResponseId, toGeminiFinishReason, toGeminiUsage } from "./from-chat.js";

interface PendingCall {
  id?: string;
  name: string;
  args: string;
  signature?: string;
}

/**
 * OpenAI chat chunks -> Gemini's `streamGenerateContent?alt=sse` events: text and thoughts as they
 * arrive, each function call whole once its arguments are complete, the finish reason and usage on the
 * last event. Nothing is written before the first content, so an early failure can still fail over.
 */
export class GeminiStreamEncoder extends ChatChunkEncoder {
  private readonly calls = new Map<number, PendingCall>();
  private readonly id = geminiResponseId();
  private finishReason: string | null | undefined;
  private sent = false;

  constructor(
    inner: ChatStreamTranslator,
    private readonly model: string,
  ) {
    super(inner);
  }

  protected finish(): string {
    this.done = true;
    const candidate: Record<string, unknown> = {
      content: geminiContent(this.flushCalls()),
      finishReason: toGeminiFinishReason(this.finishReason),
      index: 0,
    };
    return this.event([candidate], true);
  }

  protected onError(error: NonNullable<ChatChunk["error"]>): string {
    this.done = true;
    return `data: ${JSON.stringify({ error: { code: 500, message: error.message ?? "The provider reported an error.", status: "INTERNAL" } })}\r\n\r\n`;
  }

  private event(candidates: unknown[], last = false): string {
    this.sent = true;
    const body: Record<string, unknown> = { candidates, modelVersion: this.model, responseId: this.id };
    if (last) body.usageMetadata = toGeminiUsage(this.usage);
    return `data: ${JSON.stringify(body)}\r\n\r\n`;
  }

  private content(parts: GeminiPart[]): string {
    return parts.length === 0 ? "" : this.event([{ content: { role: "model", parts }, index: 0 }]);
  }

  private flushCalls(): GeminiPart[] {
    const parts = [...this.calls.values()].map((c) => functionCallPart(c.name, c.args, c.id, c.signature));
    this.calls.clear();
    return parts;
  }

  protected onChunk(c: ChatChunk): string {
    const choice = c.choices?.[0];
    if (choice?.finish_reason) this.finishReason = choice.finish_reason;
    const d = choice?.delta;
    if (!d) return "";
    const parts: GeminiPart[] = [];
    if (d.reasoning_content) parts.push({ text: d.reasoning_content, thought: true });
    if (d.content) parts.push({ text: d.content });
    let out = "";
    for (const tc of d.tool_calls ?? []) {
      const index = tc.index ?? 0;
      let call = this.calls.get(index);
      if (!call) {
        // A new call: the previous ones are complete.
        out += this.content(this.flushCalls());
        call = { name: tc.function?.name ?? "", args: "" };
        if (tc.id) call.id = tc.id;
        this.calls.set(index, call);
      }
      if (tc.function?.name && !call.name) call.name = tc.function.name;
      if (tc.function?.arguments) call.args += tc.function.arguments;
      const sig = tc.extra_content?.google?.thought_signature;
      if (sig) call.signature = sig;
    }
    return out + this.content(parts);
  }

  /** True once something was written (for tests). */
  get started(): boolean {
    return this.sent;
  }
}
