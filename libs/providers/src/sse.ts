/**
 * Largest single event an upstream stream may send (an image in a Gemini stream is a few MB). Beyond
 * it the stream is broken off: an upstream that never ends an event must not grow a buffer forever.
 */
export const MAX_SSE_EVENT_BYTES = 16 * 1024 * 1024;

export class SseEventTooLarge extends Error {
  override readonly name = "SseEventTooLarge";
  constructor() {
    super(`The upstream stream sent an event larger than ${MAX_SSE_EVENT_BYTES} bytes.`);
  }
}

/**
 * Incremental SSE splitter: feed text, get complete events (the text between blank lines).
 * Handles `\n\n`, `\r\n\r\n` and events split across chunks; an unfinished event is bounded
 * (MAX_SSE_EVENT_BYTES, SseEventTooLarge).
 */
export class SseSplitter {
  private rest = "";

  /** Returns complete raw events (without the blank-line terminator). */
  push(text: string): string[] {
    let buf = this.rest ? this.rest + text : text;
    if (buf.includes("\r")) buf = buf.replace(/\r\n?/g, "\n");
    const out: string[] = [];
    let start = 0;
    for (;;) {
      const end = buf.indexOf("\n\n", start);
      if (end < 0) break;
      if (end > start) out.push(buf.slice(start, end));
      start = end + 2;
    }
    this.rest = start === 0 ? buf : buf.slice(start);
    if (this.rest.length > MAX_SSE_EVENT_BYTES) throw new SseEventTooLarge();
    return out;
  }

  /** Whatever is left when the stream ends (an event without its terminator). */
  flush(): string[] {
    const rest = this.rest.trim();
    this.rest = "";
    return rest ? [rest] : [];
  }

  get pending(): number {
    return this.rest.length;
  }
}

/** The parsed fields of one SSE event. Multiple `data:` lines are joined with `\n`. */
export interface SseEvent {
  event: string | undefined;
  data: string;
}

export function parseSseEvent(raw: string): SseEvent {
  let event: string | undefined;
  let data: string | undefined;
  for (const line of raw.split("\n")) {
    if (line.startsWith("data:")) {
      const v = line.charCodeAt(5) === 32 ? line.slice(6) : line.slice(5);
      data = data === undefined ? v : `${data}\n${v}`;
    } else if (line.startsWith("event:")) {
      event = line.slice(line.charCodeAt(6) === 32 ? 7 : 6);
    }
  }
  return { event, data: data ?? "" };
}

/** Encodes one OpenAI-style data event. */
export const sseData = (payload: unknown): string => `data: ${typeof payload === "string" ? payload : JSON.stringify(payload)}\n\n`;

/** Encodes one named event (Anthropic style). */
export const sseEvent = (event: string, payload: unknown): string => `event: ${event}\ndata: ${JSON.stringify(payload)}\n\n`;

/** Bytes in, complete SSE events out (UTF-8 characters split across chunks handled). */
export class SseEventReader {
  private readonly splitter = new SseSplitter();
  private readonly decoder = new TextDecoder();

  /** Runs `each` on every event that `chunk` completes; returns what they return, joined. */
  map(chunk: Buffer, each: (raw: string) => string): string {
    let out = "";
    for (const raw of this.splitter.push(this.decoder.decode(chunk, { stream: true }))) out += each(raw);
    return out;
  }

  /** The same for an unterminated event left when the stream ends. */
  flush(each: (raw: string) => string): string {
    let out = "";
    for (const raw of this.splitter.flush()) out += each(raw);
    return out;
  }
}
