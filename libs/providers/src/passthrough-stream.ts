import type { OpenAIUsage } from "@ai-router/contracts";
import type { ChatStreamTranslator, UpstreamError } from "./adapter.js";
import { parseSseEvent, SseEventReader } from "./sse.js";

/**
 * An upstream's own event stream (a native front-door format: Anthropic Messages, OpenAI Responses,
 * Gemini) passed through byte for byte, while each subclass reads usage and in-band errors on the way
 * for accounting and failover. Events named in `holdable` are held until another event follows, so a
 * failure right after them can still fail over.
 */
export abstract class PassthroughStream implements ChatStreamTranslator {
  private readonly events = new SseEventReader();
  /** What is held back; undefined once something was forwarded. */
  private held: string | undefined = "";
  usage: OpenAIUsage | undefined;
  error: UpstreamError | undefined;

  constructor(
    private readonly holdable: ReadonlySet<string> = new Set(),
    /** Written after each event (Gemini's own streams use `\r\n\r\n`). */
    private readonly terminator = "\n\n",
  ) {}

  push(chunk: Buffer): string {
    return this.events.map(chunk, (raw) => this.pass(raw));
  }

  end(): string {
    return this.events.flush((raw) => this.pass(raw)) + this.release();
  }

  /** True while nothing was forwarded to the client yet (an in-band error can still fail over). */
  protected get nothingSent(): boolean {
    return this.held !== undefined;
  }

  /** Reads one event (its `event:` name, if any, and its data) before it is forwarded or held. */
  protected abstract observe(event: string | undefined, data: string): void;

  private release(): string {
    const held = this.held ?? "";
    this.held = undefined;
    return held;
  }

  private pass(raw: string): string {
    const { event, data } = parseSseEvent(raw);
    this.observe(event, data);
    if (this.held !== undefined && event !== undefined && this.holdable.has(event)) {
      this.held += `${raw}${this.terminator}`;
      return "";
    }
    return `${this.release()}${raw}${this.terminator}`;
  }
}
