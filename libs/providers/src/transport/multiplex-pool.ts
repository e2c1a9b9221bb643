import { type Client, Dispatcher, errors } from "undici";

/** One connection of the pool and the requests it carries now. */
interface Slot {
  client: Client;
  inFlight: number;
  /** What ALPN chose for its current connection; undefined until it connected. */
  h2: boolean | undefined;
}

type Handler = Dispatcher.DispatchHandler;

/**
 * A per-origin pool for upstreams that may speak HTTP/2. undici's Pool sends a request to a new
 * connection whenever the ones it has are "busy", and a connection still in its TLS handshake is busy
 * as soon as one request waits on it: a burst of 4,000 requests then opens a connection per request
 * (up to `connections`) before the first one has said `h2`. This pool counts the requests it gave each
 * connection instead: an HTTP/2 connection (or, once the origin is known to speak HTTP/2, a connection
 * still connecting) takes up to `streams` of them, an HTTP/1.1 one takes one; a new connection is
 * opened only when every connection is full. Requests a connection cannot start yet wait in its own
 * queue (undici writes them as soon as it connects). The router's connection gate bounds the total.
 */
export class MultiplexPool extends Dispatcher {
  private readonly slots: Slot[] = [];
  private closed = false;
  /** Some connection of this origin negotiated HTTP/2: new connections are expected to multiplex. */
  spokeH2: boolean;
  /** The origin's first connection is being made and what it speaks is not known yet. */
  private learning = false;
  /** Requests that arrived meanwhile: sent once the first connection says h2 or http/1.1 (or fails). */
  private held: [Dispatcher.DispatchOptions, Handler][] = [];

  constructor(
    private readonly origin: URL | string,
    private readonly connections: number,
    private readonly streams: number,
    /** Makes a client whose connect reports the protocol chosen through `onProtocol`. */
    private readonly newClient: (onProtocol: (h2: boolean) => void) => Client,
    http2Only: boolean,
  ) {
    super();
    this.spokeH2 = http2Only;
  }

  get destroyed(): boolean {
    return this.closed;
  }

  override dispatch(opts: Dispatcher.DispatchOptions, handler: Handler): boolean {
    // A burst on a new origin waits for its first handshake (one round trip) instead of opening a
    // connection per request: then it knows whether one connection can carry them all.
    if (this.learning) {
      this.held.push([opts, handler]);
      return true;
    }
    if (this.slots.length === 0 && !this.spokeH2) this.learning = true;
    const slot = this.pick();
    slot.inFlight++;
    return slot.client.dispatch(opts, new CountedHandler(handler, slot));
  }

  /** The first connection with room; else a new one; else (all `connections` full) the least loaded. */
  private pick(): Slot {
    let least: Slot | undefined;
    for (const s of this.slots) {
      const h2 = s.h2 ?? this.spokeH2;
      if (s.inFlight < (h2 ? this.streams : 1)) return s;
      if (least === undefined || s.inFlight < least.inFlight) least = s;
    }
    if (this.slots.length < this.connections || least === undefined) return this.open();
    return least;
  }

  private open(): Slot {
    const slot: Slot = { client: undefined as unknown as Client, inFlight: 0, h2: undefined };
    slot.client = this.newClient((h2) => {
      slot.h2 = h2;
      if (h2) this.spokeH2 = true;
      this.learned();
    });
    slot.client.on("disconnect", (origin, targets, err) => {
      slot.h2 = undefined; // the next connection negotiates again
      this.emit("disconnect", origin, [this, ...targets], err);
    });
    slot.client.on("connect", (origin, targets) => this.emit("connect", origin, [this, ...targets]));
    slot.client.on("connectionError", (origin, targets, err) => {
      this.learned();
      this.emit("connectionError", origin, [this, ...targets], err);
    });
    slot.client.on("drain", (origin: URL) => {
      (this as import("node:events").EventEmitter).emit("drain", origin, [this]);
    });
    this.slots.push(slot);
    return slot;
  }

  /** The first handshake is over (or failed): the requests held meanwhile go out. */
  private learned(): void {
    if (!this.learning) return;
    this.learning = false;
    const held = this.held;
    this.held = [];
    for (const [opts, handler] of held) this.dispatch(opts, handler);
  }

  private dropHeld(): void {
    const held = this.held;
    this.held = [];
    this.learning = false;
    for (const [, handler] of held) handler.onError?.(new errors.ClientClosedError());
  }

  override close(): Promise<void>;
  override close(callback: () => void): void;
  override close(callback?: () => void): Promise<void> | undefined {
    this.closed = true;
    this.dropHeld();
    const done = Promise.all(this.slots.map((s) => s.client.close())).then(() => undefined);
    if (callback) {
      void done.then(callback);
      return undefined;
    }
    return done;
  }

  override destroy(): Promise<void>;
  override destroy(err: Error | null): Promise<void>;
  override destroy(callback: () => void): void;
  override destroy(err: Error | null, callback: () => void): void;
  override destroy(a?: Error | null | (() => void), b?: () => void): Promise<void> | undefined {
    this.closed = true;
    this.dropHeld();
    const err = typeof a === "function" ? null : (a ?? null);
    const callback = typeof a === "function" ? a : b;
    const done = Promise.all(this.slots.map((s) => s.client.destroy(err))).then(() => undefined);
    if (callback) {
      void done.then(callback);
      return undefined;
    }
    return done;
  }

  /** For logs and tests: connections open and the requests they carry. */
  get load(): { connections: number; inFlight: number } {
    let inFlight = 0;
    for (const s of this.slots) inFlight += s.inFlight;
    return { connections: this.slots.length, inFlight };
  }

  override toString(): string {
    return `MultiplexPool(${String(this.origin)})`;
  }
}

/** Forwards undici's callbacks to the request's handler and gives the connection's count back at the end. */
class CountedHandler implements Handler {
  private done = false;
  constructor(
    private readonly h: Handler,
    private readonly slot: Slot,
  ) {}

  private finish(): void {
    if (this.done) return;
    this.done = true;
    this.slot.inFlight--;
  }

  onConnect(abort: (err?: Error) => void): void {
    this.h.onConnect?.(abort);
  }
  onError(err: Error): void {
    this.finish();
    this.h.onError?.(err);
  }
  onUpgrade(statusCode: number, headers: Buffer[] | string[] | null, socket: import("node:stream").Duplex): void {
    this.finish();
    this.h.onUpgrade?.(statusCode, headers, socket);
  }
  onResponseStarted(): void {
    this.h.onResponseStarted?.();
  }
  onHeaders(statusCode: number, headers: Buffer[], resume: () => void, statusText: string): boolean {
    return this.h.onHeaders?.(statusCode, headers, resume, statusText) ?? true;
  }
  onData(chunk: Buffer): boolean {
    return this.h.onData?.(chunk) ?? true;
  }
  onComplete(trailers: string[] | null): void {
    this.finish();
    this.h.onComplete?.(trailers);
  }
  onBodySent(chunkSize: number, totalBytesSent: number): void {
    this.h.onBodySent?.(chunkSize, totalBytesSent);
  }
}
