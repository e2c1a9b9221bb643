import type { OpenAIUsage } from "@ai-router/contracts";
import type { ChatStreamTranslator, UpstreamError } from "../adapter.js";
import { MAX_SSE_EVENT_BYTES, parseSseEvent, SseEventTooLarge, SseSplitter } from "../sse.js";
import { toUpstreamError } from "./errors.js";
import { extractUsage, normalizeUsage } from "./usage.js";

const BOUNDARY = Buffer.from("\n\n");
const DONE = Buffer.from("data: [DONE]");
const DONE_EVENT = Buffer.from("data: [DONE]\n\n");
// Searched by a tail that starts with a rare byte: the native search stops at every occurrence of a
// needle's first byte (`memchr`, then a compare), and a chunk's JSON has a quote every few bytes and an
// `e` in most keys. `rror"` finds every `"error"` (and the odd string that ends in "rror", which only
// costs the slow path); the byte before `usage"` is checked to be a quote.
const USAGE_TAIL = Buffer.from('usage"');
const ERROR_TAIL = Buffer.from('rror"');
const EMPTY_CHOICES = Buffer.from('"choices":[]');
const CR = 0x0d;

/** True when the bytes after a `"usage"` key open an object (not `null`). */
function opensObject(buf: Buffer, afterKey: number): boolean {
  for (let i = afterKey; i < buf.length; i++) {
    const c = buf[i];
    if (c === 0x20 || c === 0x3a || c === 0x09) continue; // space, ':', tab
    return c === 0x7b; // '{'
  }
  return false;
}

/** Offset of the last `"usage"` key in `buf` whose value is an object (not `null`), or -1. */
export function lastUsageObject(buf: Buffer): number {
  let found = -1;
  for (let i = buf.indexOf(USAGE_TAIL); i >= 0; i = buf.indexOf(USAGE_TAIL, i + USAGE_TAIL.length)) {
    if (i > 0 && buf[i - 1] === 0x22 && opensObject(buf, i + USAGE_TAIL.length)) found = i - 1;
  }
  return found;
}

/**
 * OpenAI SSE -> OpenAI SSE. Forwards complete events as they arrive (the upstream's own bytes, no
 * copy, on the common path), records usage, removes the usage-only chunk the router asked for on the
 * client's behalf, surfaces in-band errors, and guarantees a `[DONE]` terminator.
 *
 * Cost matters here (every chunk of every stream): each chunk is looked at with at most three native
 * byte searches, all from the end or bounded; only the event that carries a usage object, or an error
 * before any output, is parsed.
 */
export class OpenAIStreamTranslator implements ChatStreamTranslator {
  private carry: Buffer | undefined;
  /** Pieces of the unfinished event after `carry`, and the unfinished event's length and last byte. */
  private readonly carryParts: Buffer[] = [];
  private carryLen = 0;
  private carryLast: number | undefined;
  /** Upstreams that send CRLF line ends take the (slower) text path. */
  private text: { splitter: SseSplitter; decoder: InstanceType<typeof TextDecoder> } | undefined;
  private sawDone = false;
  /** `[DONE]` ended the bytes pushed so far, with nothing carried over. */
  complete = false;
  /** The upstream ends lines with CRLF (decided at its first line end). */
  private crlf: boolean | undefined;
  /** Something reached the client: errors from now on are forwarded, not acted on. */
  private emitted = false;
  usage: OpenAIUsage | undefined;
  error: UpstreamError | undefined;

  constructor(private readonly stripUsage: boolean) {}

  push(chunk: Buffer): string | Buffer {
    if (this.crlf === undefined) {
      // Decide the line ends once, at the first line end the upstream sends.
      const nl = chunk.indexOf(0x0a);
      if (nl >= 0) this.crlf = nl > 0 && chunk[nl - 1] === CR;
      else if (chunk.includes(CR)) this.crlf = true;
    }
    if (this.text || this.crlf) return this.pushText(chunk);
    if (this.carry) {
      // An event still open: its pieces are kept apart until one ends it (joining them on every chunk
      // would copy a long event over and over).
      const nlJoin = this.carryLast === 0x0a && chunk[0] === 0x0a;
      if (!nlJoin && chunk.indexOf(BOUNDARY) < 0) {
        this.carryParts.push(chunk);
        this.carryLen += chunk.length;
        this.carryLast = chunk[chunk.length - 1];
        if (this.carryLen > MAX_SSE_EVENT_BYTES) throw new SseEventTooLarge();
        return "";
      }
    }
    const data = this.carry ? Buffer.concat([this.takeCarry()!, chunk]) : chunk;
    const last = data.lastIndexOf(BOUNDARY);
    if (last < 0) {
      if (data.length > MAX_SSE_EVENT_BYTES) throw new SseEventTooLarge();
      this.setCarry(data);
      return "";
    }
    const end = last + 2;
    if (end < data.length) this.setCarry(data.subarray(end));
    else this.carry = undefined;
    const complete = end === data.length ? data : data.subarray(0, end);
    // [DONE] is the last event of a stream: look at the tail only.
    if (!this.sawDone && complete.indexOf(DONE, Math.max(0, complete.length - DONE.length - 4)) >= 0) {
      this.sawDone = true;
      this.complete = this.carry === undefined;
    }
    // Searched once per read. Text that ends in "rror" matches too (only the slow path, which parses).
    if (!this.error && complete.indexOf(ERROR_TAIL) >= 0) {
      // Before any output, an error event decides failover; after it, the stream is forwarded as it
      // is, the error noted: the attempt failed (breaker, usage).
      if (!this.emitted) return this.perEvent(complete);
      this.noteError(complete);
    }
    // Usage is cumulative and comes last: the last usage object in the bytes is the one to read
    // (`"usage":null` keys are skipped).
    const u = lastUsageObject(complete);
    if (u >= 0) return this.withUsageEvent(complete, u);
    this.emitted = true;
    return complete;
  }

  /**
   * Reads the usage object at `u` (parsing only that object) and, when the router asked for usage on
   * the client's behalf, removes it from what the client gets; every other byte is forwarded as is.
   */
  private withUsageEvent(complete: Buffer, u: number): Buffer {
    const before = complete.lastIndexOf(BOUNDARY, u);
    const evStart = before < 0 ? 0 : before + 2;
    const evEnd = complete.indexOf(BOUNDARY, u) + 2;
    const usage = extractUsage(complete.subarray(u, evEnd));
    if (usage) this.usage = usage;
    this.emitted = true;
    if (!this.stripUsage) return complete;
    const event = complete.subarray(evStart, evEnd);
    // The usage-only chunk (`"choices":[]`) goes; usage riding on a content chunk is cut off it.
    const replaced = event.includes(EMPTY_CHOICES) ? "" : this.onEvent(event.toString("utf8", 0, event.length - 2));
    if (!replaced && evStart > 0) {
      // The usage chunk leaves a hole: forward what precedes it as is (no copy). What follows it is
      // normally just [DONE], which end() writes anyway.
      const rest = complete.subarray(evEnd);
      if (rest.length === 0) return complete.subarray(0, evStart);
      if (rest.equals(DONE_EVENT)) {
        this.sawDone = false;
        return complete.subarray(0, evStart);
      }
    }
    const out: Buffer[] = [];
    if (evStart > 0) out.push(complete.subarray(0, evStart));
    if (replaced) out.push(Buffer.from(replaced));
    if (evEnd < complete.length) out.push(complete.subarray(evEnd));
    return out.length === 1 ? (out[0] as Buffer) : Buffer.concat(out);
  }

  /** Reads an error event among forwarded ones (bytes unchanged). */
  private noteError(complete: Buffer): void {
    for (const raw of complete.toString("utf8").split("\n\n")) {
      const { data } = parseSseEvent(raw);
      if (!data.includes('"error"')) continue;
      try {
        const parsed = JSON.parse(data) as Record<string, unknown>;
        if (parsed.error && typeof parsed.error === "object") return void (this.error = toUpstreamError(500, parsed));
      } catch {
        // not JSON: forwarded, nothing to learn
      }
    }
  }

  /** Starts the unfinished event with `b`. */
  private setCarry(b: Buffer): void {
    this.carry = b;
    this.carryParts.length = 0;
    this.carryLen = b.length;
    this.carryLast = b[b.length - 1];
  }

  /** The unfinished event's bytes, joined once; the carry is emptied. */
  private takeCarry(): Buffer | undefined {
    const c = this.carry;
    if (!c) return undefined;
    const joined = this.carryParts.length === 0 ? c : Buffer.concat([c, ...this.carryParts], this.carryLen);
    this.carry = undefined;
    this.carryParts.length = 0;
    this.carryLen = 0;
    return joined;
  }

  /** Slow path: every event parsed on its own (error events before the first output). */
  private perEvent(complete: Buffer): string {
    let out = "";
    for (const raw of complete.toString("utf8").split("\n\n")) if (raw) out += this.onEvent(raw);
    if (out && !this.error) this.emitted = true;
    return out;
  }

  end(): string {
    let out = "";
    const carry = this.takeCarry();
    const rest = this.text ? this.text.splitter.flush() : carry ? [carry.toString("utf8").trim()].filter(Boolean) : [];
    for (const raw of rest) out += this.onEvent(raw);
    if (!this.sawDone) out += "data: [DONE]\n\n";
    return out;
  }

  private pushText(chunk: Buffer): string {
    if (!this.text) {
      this.text = { splitter: new SseSplitter(), decoder: new TextDecoder() };
      const carry = this.takeCarry();
      if (carry) this.text.splitter.push(this.text.decoder.decode(carry, { stream: true }));
    }
    let out = "";
    for (const raw of this.text.splitter.push(this.text.decoder.decode(chunk, { stream: true }))) out += this.onEvent(raw);
    return out;
  }

  private onEvent(raw: string): string {
    if (raw.charCodeAt(0) === 58 /* ':' comment / keep-alive */) return `${raw}\n\n`;
    const { data } = parseSseEvent(raw);
    if (data === "[DONE]") {
      this.sawDone = true;
      return "data: [DONE]\n\n";
    }
    if (!data.includes('"usage"') && !data.includes('"error"')) return `${raw}\n\n`;
    let parsed: Record<string, unknown> | undefined;
    try {
      parsed = JSON.parse(data) as Record<string, unknown>;
    } catch {
      return `${raw}\n\n`;
    }
    if (parsed.error && typeof parsed.error === "object") this.error = toUpstreamError(500, parsed);
    const usage = normalizeUsage(parsed.usage);
    if (!usage) return `${raw}\n\n`;
    this.usage = usage;
    if (!this.stripUsage) return `${raw}\n\n`;
    const choices = parsed.choices;
    if (Array.isArray(choices) && choices.length === 0) return "";
    // Usage riding on a content chunk: keep the content, hide the usage.
    delete parsed.usage;
    return `data: ${JSON.stringify(parsed)}\n\n`;
  }
}
