import type { OpenAIUsage } from "@ai-router/contracts";
import type { ChatStreamTranslator, UpstreamError } from "../adapter.js";
import { parseSseEvent, SseSplitter } from "../sse.js";
import { toUpstreamError } from "./errors.js";
import { normalizeUsage } from "./usage.js";

const BOUNDARY = Buffer.from("\n\n");
const DONE = Buffer.from("data: [DONE]");
/** Byte patterns that make an event worth parsing; every other event is forwarded as is. */
const MARKERS = [Buffer.from('"usage":{'), Buffer.from('"usage": {'), Buffer.from('"error"')];
const CR = 0x0d;

/**
 * OpenAI SSE -> OpenAI SSE. Forwards complete events as they arrive (the upstream's own bytes, no
 * copy, on the common path), records usage, removes the usage-only chunk the router asked for on the
 * client's behalf, surfaces in-band errors, and guarantees a `[DONE]` terminator.
 */
export class OpenAIStreamTranslator implements ChatStreamTranslator {
  private carry: Buffer | undefined;
  /** Upstreams that send CRLF line ends take the (slower) text path. */
  private text: { splitter: SseSplitter; decoder: InstanceType<typeof TextDecoder> } | undefined;
  private sawDone = false;
  usage: OpenAIUsage | undefined;
  error: UpstreamError | undefined;

  constructor(private readonly stripUsage: boolean) {}

  push(chunk: Buffer): string | Buffer {
    if (this.text || chunk.includes(CR)) return this.pushText(chunk);
    const data = this.carry ? Buffer.concat([this.carry, chunk]) : chunk;
    const last = data.lastIndexOf(BOUNDARY);
    if (last < 0) {
      this.carry = data;
      return "";
    }
    const end = last + 2;
    this.carry = end < data.length ? data.subarray(end) : undefined;
    const complete = end === data.length ? data : data.subarray(0, end);
    if (!this.sawDone && complete.includes(DONE)) this.sawDone = true;
    return this.inspect(complete);
  }

  /** Forwards byte ranges untouched; only events carrying a marker are parsed (usage chunk, errors). */
  private inspect(complete: Buffer): Buffer {
    let parts: Buffer[] | undefined;
    let from = 0;
    for (;;) {
      let at = -1;
      for (const m of MARKERS) {
        const i = complete.indexOf(m, from);
        if (i >= 0 && (at < 0 || i < at)) at = i;
      }
      if (at < 0) break;
      const before = complete.lastIndexOf(BOUNDARY, at);
      const evStart = Math.max(from, before < 0 ? 0 : before + 2);
      const evEnd = complete.indexOf(BOUNDARY, at) + 2;
      parts ??= [];
      if (evStart > from) parts.push(complete.subarray(from, evStart));
      const out = this.onEvent(complete.toString("utf8", evStart, evEnd - 2));
      if (out) parts.push(Buffer.from(out));
      from = evEnd;
    }
    if (!parts) return complete;
    if (from < complete.length) parts.push(complete.subarray(from));
    return parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts);
  }

  end(): string {
    let out = "";
    const rest = this.text ? this.text.splitter.flush() : this.carry ? [this.carry.toString("utf8").trim()].filter(Boolean) : [];
    this.carry = undefined;
    for (const raw of rest) out += this.onEvent(raw);
    if (!this.sawDone) out += "data: [DONE]\n\n";
    return out;
  }

  private pushText(chunk: Buffer): string {
    if (!this.text) {
      this.text = { splitter: new SseSplitter(), decoder: new TextDecoder() };
      if (this.carry) this.text.splitter.push(this.text.decoder.decode(this.carry, { stream: true }));
      this.carry = undefined;
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
