import { EventEmitter } from "node:events";
import type { IncomingMessage, ServerResponse } from "node:http";
import { StringDecoder } from "node:string_decoder";

/** Where a turn's events go: the client's WebSocket, seen through what the bridge needs of it. */
export interface TurnSink {
  /** Sends one server event (a JSON text frame). */
  send(text: string): void;
  /** Bytes sent but not yet written to the network. */
  buffered(): number;
  /** Calls `fn` once the socket's send buffer drained. */
  onceDrained(fn: () => void): void;
  /** The client is too slow: close its socket with a clear code. */
  closeSlow(): void;
  /** Sends several server events in one socket write (the events of one upstream chunk). */
  sendMany(texts: readonly string[]): void;
}

/** Above this many buffered bytes a write reports backpressure (the relay pauses the upstream). */
export const TURN_HIGH_WATER = 64 * 1024;

/**
 * The response side of a turn: what the request handler and the stream relay write (status, headers,
 * an SSE body or a JSON error) becomes WebSocket frames, one per event, in order. Backpressure is the
 * socket's: `write` reports false above TURN_HIGH_WATER and `drain` follows, so the relay pauses the
 * upstream exactly as it does for a slow HTTP client (and the stall watch cuts it the same way).
 */
export class TurnResponse extends EventEmitter {
  statusCode = 200;
  headersSent = false;
  writableFinished = false;
  destroyed = false;
  private sse = false;
  private pending = "";
  private json = "";
  /** Made for the first Buffer written (a native stream's bytes; a translated one writes strings). */
  private decoder: StringDecoder | undefined;
  /** The events of the chunk being dispatched (reused). */
  private readonly out: string[] = [];
  private waiting = false;
  private readonly counters: { bytesWritten: number };
  /** The `response.completed` (or `.incomplete`) event as sent (parsed only if a later turn continues it). */
  finalText: string | undefined;
  /** The `response.created` event as sent. */
  private createdText: string | undefined;
  /** The lane (`stream_id`) this turn runs on: every event sent carries it. */
  streamId: string | undefined;
  /** A translated stream writes its events as lines of JSON (ingress/responses.ts), a native one SSE. */
  readonly acceptsEventLines = true;
  eventLines = false;

  constructor(
    private readonly sink: TurnSink,
    req: IncomingMessage,
    private readonly maxBuffered: number,
  ) {
    super();
    this.counters = req.socket as unknown as { bytesWritten: number };
  }

  /** The id of the response in the terminal event, for the socket's continuation state (read when asked). */
  get finalId(): string | undefined {
    return this.finalText === undefined ? undefined : responseIdOf(this.finalText);
  }

  /** The id of the response in flight (from its `response.created`, read when asked). */
  get responseId(): string | undefined {
    return this.createdText === undefined ? undefined : responseIdOf(this.createdText);
  }

  setHeader(_name: string, _value: unknown): this {
    return this;
  }

  getHeader(_name: string): undefined {
    return undefined;
  }

  writeHead(status: number, headers?: Record<string, unknown>): this {
    this.statusCode = status;
    this.headersSent = true;
    const type = headers?.["content-type"];
    this.sse = typeof type === "string" && type.startsWith("text/event-stream");
    return this;
  }

  write(chunk: string | Buffer): boolean {
    if (this.destroyed) return false;
    if (!this.headersSent) this.writeHead(this.statusCode);
    const text = typeof chunk === "string" ? chunk : (this.decoder ??= new StringDecoder("utf8")).write(chunk);
    if (!this.sse) {
      this.json += text;
      return true;
    }
    this.pending = this.pending.length === 0 ? text : this.pending + text;
    if (this.eventLines) this.dispatchLines();
    else this.dispatch();
    if (this.sink.buffered() <= TURN_HIGH_WATER) return true;
    if (this.sink.buffered() > this.maxBuffered) {
      this.sink.closeSlow();
      this.destroy();
      return false;
    }
    if (!this.waiting) {
      this.waiting = true;
      this.sink.onceDrained(() => {
        this.waiting = false;
        this.emit("drain");
      });
    }
    return false;
  }

  end(chunk?: string | Buffer | (() => void)): this {
    if (chunk !== undefined && typeof chunk !== "function" && chunk.length > 0) this.write(chunk);
    if (this.writableFinished || this.destroyed) return this;
    if (!this.headersSent) this.writeHead(this.statusCode);
    if (!this.sse) this.sendError();
    this.writableFinished = true;
    this.emit("finish");
    this.emit("close");
    return this;
  }

  /** Cut (stall watch, slow reader) or the client's socket closed: the pipeline aborts its upstream call. */
  destroy(): this {
    if (this.destroyed || this.writableFinished) return this;
    this.destroyed = true;
    this.emit("close");
    return this;
  }

  /** Sends each whole SSE event's data as one frame, a chunk's frames in one write; a partial event waits for the rest. */
  private dispatch(): void {
    let buf = this.pending;
    if (buf.includes("\r")) buf = buf.replace(/\r\n?/g, "\n");
    let at = buf.indexOf("\n\n");
    let from = 0;
    const out = this.out;
    while (at >= 0) {
      const data = this.event(buf.slice(from, at));
      if (data !== undefined) out.push(data);
      from = at + 2;
      at = buf.indexOf("\n\n", from);
    }
    this.pending = from === 0 ? buf : buf.slice(from);
    if (out.length === 0) return;
    if (out.length === 1) this.sink.send(out[0] as string);
    else this.sink.sendMany(out);
    out.length = 0;
  }

  /** Sends each whole line (one event's JSON) as one frame, a chunk's frames in one write. */
  private dispatchLines(): void {
    const buf = this.pending;
    const out = this.out;
    let from = 0;
    for (let at = buf.indexOf("\n"); at >= 0; at = buf.indexOf("\n", from)) {
      if (at > from) out.push(this.frame(buf.slice(from, at)));
      from = at + 1;
    }
    this.pending = from === buf.length ? "" : buf.slice(from);
    if (out.length === 0) return;
    if (out.length === 1) this.sink.send(out[0] as string);
    else this.sink.sendMany(out);
    out.length = 0;
  }

  /** The event's data (what goes out as one frame), or undefined for none and `[DONE]`. */
  private event(block: string): string | undefined {
    // The usual event has one `data:` line, last: sliced out without splitting the block.
    let data: string | undefined;
    const at = block.startsWith("data: ") ? 0 : block.indexOf("\ndata: ") + 1;
    if (at > 0 || block.startsWith("data: ")) {
      const v = block.slice(at + 6);
      data = v.includes("\n") ? undefined : v;
    }
    if (data === undefined) {
      for (const line of block.split("\n")) {
        if (!line.startsWith("data:")) continue;
        const v = line.charCodeAt(5) === 32 ? line.slice(6) : line.slice(5);
        data = data === undefined ? v : `${data}\n${v}`;
      }
    }
    if (data === undefined || data === "[DONE]") return undefined;
    return this.frame(data);
  }

  /** One event as its frame's text; notes the response's id and keeps its terminal event. */
  private frame(data: string): string {
    // The turn's last event is kept for the socket's continuation state, its id read without parsing it.
    if (data.startsWith('{"type":"response.completed"') || data.startsWith('{"type":"response.incomplete"')) this.finalText = data;
    else if (this.createdText === undefined && data.startsWith('{"type":"response.created"')) this.createdText = data;
    // The lane's id goes last (checked against STREAM_ID when the lane was opened: written as it is).
    if (this.streamId !== undefined && data.endsWith("}")) data = `${data.slice(0, -1)},"stream_id":"${this.streamId}"}`;
    this.counters.bytesWritten += data.length;
    return data;
  }

  /** A refusal before the stream (400, 401, 429, 404...) as the WebSocket mode's `error` event. */
  private sendError(): void {
    const body = this.json + (this.decoder?.end() ?? "");
    let error: unknown;
    try {
      error = (JSON.parse(body) as { error?: unknown }).error;
    } catch {
      error = undefined;
    }
    const ev: Record<string, unknown> = {
      type: "error",
      status: this.statusCode,
      error: error ?? { type: "server_error", message: "Request failed." },
    };
    if (this.streamId !== undefined) ev.stream_id = this.streamId;
    const text = JSON.stringify(ev);
    this.counters.bytesWritten += text.length;
    this.sink.send(text);
  }
}

const RESPONSE_ID = /"response":\{"id":"([^"\\]{1,200})"/;

/** A terminal event's response id: from its head when written as usual, else parsed. */
export function responseIdOf(event: string): string | undefined {
  const m = RESPONSE_ID.exec(event.length > 512 ? event.slice(0, 512) : event);
  if (m) return m[1];
  try {
    const id = (JSON.parse(event) as { response?: { id?: unknown } }).response?.id;
    return typeof id === "string" ? id : undefined;
  } catch {
    return undefined;
  }
}

/** The bridge's response where the request handler expects a ServerResponse. */
export const asServerResponse = (r: TurnResponse): ServerResponse => r as unknown as ServerResponse;
