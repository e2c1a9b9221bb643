import type { OpenAIUsage } from "@ai-router/contracts";
import { type ChatStreamTranslator, ForwardingTranslator, parseSseEvent, SseEventReader, skipSeam } from "@ai-router/providers";

/** An OpenAI chunk as the splice reads and rewrites it (the fields it touches). */
interface SplicedChunk {
  id?: string;
  created?: number;
  model?: string;
  system_fingerprint?: string;
  choices?: { index?: number; delta?: Record<string, unknown>; finish_reason?: string | null }[];
  usage?: OpenAIUsage | null;
  error?: unknown;
}

/**
 * Sits between a target's stream translator (OpenAI chunks, the internal form) and the client's
 * encoder, for a model with `stream_continuation`: it notes what reached the client (the text, whether
 * a tool call, a refusal or a finish began) and, once the stream broke, takes the next target's
 * translator in place of the first (`swap`) and rewrites its chunks into the first stream's: its id,
 * creation time and model, no second role chunk, no second reasoning, the seam's whitespace not
 * repeated. The client's encoder (the same object across targets) keeps its ids, indexes and sequence.
 */
export class StreamSplice extends ForwardingTranslator {
  private reader = new SseEventReader();
  /** The answer's text relayed so far (what a continuation is prefilled with). */
  text = "";
  /** Something that cannot be continued was relayed: a tool call, a refusal, a second choice, a finish. */
  private closed = false;
  /** The finish reason went out: the answer is whole, only its end (usage, `[DONE]`) may be missing. */
  finished = false;
  /** Reasoning went out before any text: no provider takes it back, so that cannot be continued. */
  private reasoning = false;
  /** An in-band error arrived while the stream could be continued: held back, not relayed. */
  held = false;
  private continuing = false;
  private seam = "";
  private seamDone = true;
  private id: string | undefined;
  private created: number | undefined;
  private model: string | undefined;
  private fingerprint: string | undefined;

  constructor(inner: ChatStreamTranslator) {
    super(inner);
  }

  /**
   * The stream broke where another target may finish it: text went out (or nothing but the role yet),
   * nothing that cannot be resumed. With no text, the continuation is the request as it came.
   */
  continuable(): boolean {
    return !this.closed && !(this.reasoning && this.text === "");
  }

  /** The answer is whole but its stream broke before its end: the end is written as if it had come. */
  seal(): void {
    const usage = this.inner.usage;
    this.inner = { push: () => "", end: () => "data: [DONE]\n\n", usage, error: undefined };
    this.reader = new SseEventReader();
  }

  /** The next target's translator takes over; `trimmed` is the whitespace its prefill could not carry. */
  swap(next: ChatStreamTranslator, trimmed: string): void {
    this.inner = next;
    this.reader = new SseEventReader();
    this.continuing = true;
    this.held = false;
    this.seam = trimmed;
    this.seamDone = false;
  }

  push(chunk: Buffer): string {
    const out = this.inner.push(chunk);
    if (out.length === 0) return "";
    return this.reader.map(Buffer.isBuffer(out) ? out : Buffer.from(out), this.onRaw);
  }

  end(): string {
    const rest = this.inner.end();
    let out = rest.length > 0 ? this.reader.map(Buffer.from(rest), this.onRaw) : "";
    out += this.reader.flush(this.onRaw);
    return out;
  }

  private readonly onRaw = (raw: string): string => {
    const { data } = parseSseEvent(raw);
    let c: SplicedChunk;
    try {
      c = JSON.parse(data) as SplicedChunk;
    } catch {
      return `${raw}\n\n`; // [DONE], or bytes the encoder ignores as well
    }
    if (c.error) {
      if (this.continuable()) {
        this.held = true;
        return "";
      }
      return `${raw}\n\n`;
    }
    if (!this.continuing) {
      if (this.id === undefined && typeof c.id === "string") {
        this.id = c.id;
        this.created = c.created;
        this.model = c.model;
        this.fingerprint = c.system_fingerprint;
      }
      this.note(c);
      return `${raw}\n\n`;
    }
    if (!this.rewrite(c)) return "";
    this.note(c);
    return `data: ${JSON.stringify(c)}\n\n`;
  };

  /** What the client now has of the answer. */
  private note(c: SplicedChunk): void {
    const choices = c.choices;
    if (!choices) return;
    for (const ch of choices) {
      if ((ch.index ?? 0) !== 0) this.closed = true;
      if (ch.finish_reason) this.closed = this.finished = true;
      const d = ch.delta;
      if (!d) continue;
      if (typeof d.content === "string") this.text += d.content;
      if (this.text === "" && typeof d.reasoning_content === "string" && d.reasoning_content !== "") this.reasoning = true;
      if (d.tool_calls || d.function_call || d.refusal) this.closed = true;
    }
  }

  /** A continuation's chunk as the first stream's; false: nothing of it is left to relay. */
  private rewrite(c: SplicedChunk): boolean {
    if (this.id !== undefined) c.id = this.id;
    if (this.created !== undefined) c.created = this.created;
    if (this.model !== undefined) c.model = this.model;
    if (this.fingerprint !== undefined) c.system_fingerprint = this.fingerprint;
    const ch = c.choices?.[0];
    const d = ch?.delta;
    if (d) {
      delete d.role;
      // The client saw the thinking close when the text began: a second one is not relayed.
      delete d.reasoning_content;
      delete d.reasoning;
      if (typeof d.content === "string" && !this.seamDone) d.content = this.cleanSeam(d.content);
      if (d.content === "" || d.content === null) delete d.content;
      if (d.refusal === null) delete d.refusal;
    }
    const empty = ch !== undefined && (d === undefined || Object.keys(d).length === 0) && !ch.finish_reason;
    return !(empty && !c.usage);
  }

  private cleanSeam(content: string): string {
    if (this.seam === "") {
      if (content !== "") this.seamDone = true;
      return content;
    }
    if (content.trim() === "") {
      // Whitespace only: what the client already has is not repeated.
      this.seam = this.seam.startsWith(content) ? this.seam.slice(content.length) : "";
      if (this.seam === "") this.seamDone = true;
      return "";
    }
    this.seamDone = true;
    return skipSeam(content, this.seam);
  }
}
