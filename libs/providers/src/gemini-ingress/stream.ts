import type { OpenAIUsage } from "@ai-router/contracts";
import type { ChatStreamTranslator, UpstreamError } from "../adapter.js";
import type { GeminiPart } from "../gemini/api.js";
import { parseSseEvent, SseEventReader } from "../sse.js";
import { functionCallPart, geminiResponseId, toGeminiFinishReason, toGeminiUsage } from "./from-chat.js";

interface Chunk {
  choices?: {
    delta?: {
      content?: string | null;
      reasoning_content?: string | null;
      tool_calls?: {
        index?: number;
        id?: string;
        function?: { name?: string; arguments?: string };
        extra_content?: { google?: { thought_signature?: string } };
      }[];
    };
    finish_reason?: string | null;
  }[];
  usage?: OpenAIUsage | null;
  error?: { message?: string; code?: string | null; type?: string };
}

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
export class GeminiStreamEncoder implements ChatStreamTranslator {
  private readonly reader = new SseEventReader();
  private readonly calls = new Map<number, PendingCall>();
  private readonly id = geminiResponseId();
  private finish: string | null | undefined;
  private chunkUsage: OpenAIUsage | undefined;
  private sent = false;
  private done = false;

  constructor(
    private readonly inner: ChatStreamTranslator,
    private readonly model: string,
  ) {}

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
    return this.reader.map(Buffer.isBuffer(out) ? out : Buffer.from(out), (raw) => this.onRaw(raw));
  }

  end(): string {
    if (this.done) return "";
    const rest = this.inner.end();
    let out = rest.length > 0 ? this.reader.map(Buffer.isBuffer(rest) ? rest : Buffer.from(rest), (raw) => this.onRaw(raw)) : "";
    out += this.reader.flush((raw) => this.onRaw(raw));
    if (this.done) return out;
    this.done = true;
    const parts = this.flushCalls();
    const candidate: Record<string, unknown> = {
      content: { role: "model", parts },
      finishReason: toGeminiFinishReason(this.finish),
      index: 0,
    };
    return out + this.event([candidate], true);
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

  private onRaw(raw: string): string {
    const { data } = parseSseEvent(raw);
    if (!data || data === "[DONE]" || this.done) return "";
    let c: Chunk;
    try {
      c = JSON.parse(data) as Chunk;
    } catch {
      return "";
    }
    if (c.error) {
      this.done = true;
      return `data: ${JSON.stringify({ error: { code: 500, message: c.error.message ?? "The provider reported an error.", status: "INTERNAL" } })}\r\n\r\n`;
    }
    if (c.usage) this.chunkUsage = c.usage;
    const choice = c.choices?.[0];
    if (choice?.finish_reason) this.finish = choice.finish_reason;
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
