import type { Readable } from "node:stream";
import { type Dispatcher, errors } from "undici";
import type { ClientSignal } from "../http/client-abort.js";
import { type BodyEvent, BodyEvents } from "./body-events.js";

/** Bytes held for a reader that has not started yet before undici is told to stop reading. */
const HOLD_BEFORE_START = 64 * 1024;

/**
 * An upstream response body fed straight by undici's dispatch handler. It offers the part of a Readable
 * the router uses (`data`/`end`/`error`/`close` events, `pause`/`resume`, `destroy`), without undici's
 * body stream: no stream buffering, state machine and nextTick for every chunk of every answer (the
 * body has exactly one reader). Like a Readable it holds what arrives until a `data` listener is added
 * or `resume()` is called. While the reader is paused (its client is slow), or more than
 * HOLD_BEFORE_START bytes wait for a reader that has not started, undici is told to stop reading the
 * socket: backpressure reaches the upstream connection.
 *
 * Chunks that arrive together (one socket read of the upstream holds many SSE chunks whenever the
 * router is busy) are delivered as one `data` event, joined, once undici has parsed the read: a
 * microtask later, in the same turn of the event loop, so nothing waits. Every consumer then does its
 * per-chunk work (event scanning, usage estimate, the client's chunked write) once per read instead
 * of once per upstream chunk.
 */
export class DispatchBody extends BodyEvents {
  destroyed = false;
  /** Chunks received but not delivered yet (the end or error waits in `ending` / `failed`). */
  private held: Buffer[] = [];
  private heldBytes = 0;
  /** A microtask will deliver what this read of the socket brought. */
  private batching = false;
  private readonly flushBatch = () => {
    this.batching = false;
    this.deliver();
  };
  private ending = false;
  private failed: Error | undefined;
  private flowing = false;
  private paused = false;
  private scheduled = false;
  /** undici's resume (given with the headers) and abort (given at connect). */
  resumeUpstream: (() => void) | undefined;
  abortUpstream: ((err: Error) => void) | undefined;
  /** undici was told to stop reading (a chunk arrived that could not be delivered). */
  upstreamPaused = false;

  // biome-ignore lint/suspicious/noExplicitAny: listeners take what their event carries
  override on(event: BodyEvent, fn: (...args: any[]) => void): this {
    super.on(event, fn);
    // A data listener starts the flow, as on a Readable.
    if (event === "data" && !this.paused) this.start();
    return this;
  }

  pause(): this {
    this.paused = true;
    return this;
  }

  resume(): this {
    this.paused = false;
    this.start();
    return this;
  }

  destroy(err?: Error): this {
    if (this.destroyed) return this;
    this.destroyed = true;
    this.drop();
    this.abortUpstream?.(err ?? new errors.RequestAbortedError());
    process.nextTick(() => {
      if (err) this.emit("error", err);
      this.emit("close");
    });
    return this;
  }

  /** From undici: one chunk. Returns false to make undici stop reading until `resume`. */
  push(chunk: Buffer): boolean {
    if (this.destroyed) return true;
    this.held.push(chunk);
    this.heldBytes += chunk.length;
    if (this.flowing && !this.paused) {
      // Joined with the rest of this socket read and delivered after it (a read is at most 64 KB).
      if (!this.batching) {
        this.batching = true;
        queueMicrotask(this.flushBatch);
      }
      return true;
    }
    // Before the reader starts (its listener comes once the headers are handled), a socket read's worth
    // is held without stopping undici: the first delivery then takes the whole read at once.
    if (!this.paused && this.heldBytes <= HOLD_BEFORE_START) return true;
    this.upstreamPaused = true;
    return false;
  }

  /** From undici: the body ended (`err` undefined) or failed. */
  finish(err?: Error): void {
    if (this.destroyed) return;
    this.ending = true;
    if (err) {
      this.failed = err;
      // A failure is reported at once. What arrived before it in the same read still goes first when
      // the reader is flowing; a paused reader's held chunks are dropped (as a destroyed Readable's).
      if (this.flowing) {
        if (this.paused) this.drop();
        this.paused = false;
        this.deliver();
      }
      return;
    }
    if (this.flowing && !this.paused && this.held.length === 0) this.deliver();
  }

  private drop(): void {
    this.held.length = 0;
    this.heldBytes = 0;
  }

  private start(): void {
    this.flowing = true;
    if (this.scheduled || this.destroyed) return;
    // Later, like a Readable: the reader adds its `end` and `error` listeners after `data`.
    this.scheduled = true;
    process.nextTick(() => {
      this.scheduled = false;
      this.deliver();
    });
  }

  /** Delivers what is held (joined, one event) while flowing; then the end or error; then lets undici read again. */
  private deliver(): void {
    if (this.held.length > 0 && !this.paused && !this.destroyed) {
      const held = this.held;
      const data = held.length === 1 ? (held[0] as Buffer) : Buffer.concat(held, this.heldBytes);
      this.drop();
      this.emit("data", data);
    }
    if (this.paused || this.destroyed) return;
    if (this.ending) {
      this.ending = false;
      this.destroyed = true;
      if (this.failed) this.emit("error", this.failed);
      else this.emit("end");
      this.emit("close");
      return;
    }
    if (this.upstreamPaused) {
      this.upstreamPaused = false;
      this.resumeUpstream?.();
    }
  }
}

/**
 * Dispatches one request on `dispatcher` and resolves with its status and a {@link DispatchBody} when
 * the response headers arrive; rejects if it fails before them. The client's signal aborts it. The
 * connection `slot`, when given, is released once: when the body closes, or when the request fails
 * before its headers.
 */
export function dispatchRequest(
  dispatcher: Dispatcher,
  opts: Dispatcher.DispatchOptions,
  signal: ClientSignal,
  slot?: { release(): void },
): Promise<{ statusCode: number; body: Readable; rawHeaders?: readonly (Buffer | string)[] | null }> {
  return new Promise((resolve, reject) => {
    let released = slot === undefined;
    const free = () => {
      if (released) return;
      released = true;
      slot!.release();
    };
    if (signal.aborted) {
      free();
      return reject(new errors.RequestAbortedError());
    }
    const body = new DispatchBody();
    if (slot !== undefined) body.once("close", free);
    let started = false;
    const onAbort = () => body.abortUpstream?.(new errors.RequestAbortedError());
    signal.once("abort", onAbort);
    const done = () => signal.removeListener("abort", onAbort);
    const fail = (err: Error) => {
      done();
      if (started) body.finish(err);
      else {
        free();
        reject(err);
      }
    };
    const handler: Dispatcher.DispatchHandler = {
      onConnect(abort) {
        body.abortUpstream = abort as (err: Error) => void;
        if (signal.aborted) abort(new errors.RequestAbortedError());
      },
      onHeaders(statusCode, rawHeaders, resume) {
        if (statusCode < 200) return true; // informational: the final status follows
        body.resumeUpstream = resume;
        started = true;
        // The raw list, kept by reference: read only by answers relayed under the upstream's content type.
        resolve({ statusCode, body: body as unknown as Readable, rawHeaders: rawHeaders as (Buffer | string)[] | null });
        return true;
      },
      onData(chunk) {
        return body.push(chunk);
      },
      onComplete() {
        done();
        body.finish();
      },
      onError: fail,
    };
    try {
      dispatcher.dispatch(opts, handler);
    } catch (err) {
      fail(err as Error);
    }
  });
}
