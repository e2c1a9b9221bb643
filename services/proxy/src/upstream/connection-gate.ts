import { RouterError } from "@ai-router/errors";
import type { ClientSignal } from "../http/client-abort.js";

interface Waiter {
  resolve: (queuedMs: number) => void;
  reject: (err: Error) => void;
  since: number;
  timer: NodeJS.Timeout | undefined;
  done: boolean;
}

/** How long a request may wait for a pool connection by default before it fails over with a 503. */
export const DEFAULT_POOL_WAIT_MS = 5_000;

/**
 * The connections of one provider's pool as slots: a request takes one before it is dispatched and gives
 * it back when its response body is finished (a stream holds its slot for its whole life). Requests
 * beyond the pool wait in FIFO order for at most `waitMs`, then fail with `upstream_busy` (503, a
 * failover trigger) instead of queueing without bound inside undici, where nothing shows the wait.
 * The queue's length and waits are counters `/metrics` shows.
 */
export class ConnectionGate {
  inUse = 0;
  /** Requests waiting now. */
  queued = 0;
  /** Requests that had to wait and got a connection, and how long they waited in total (ms). */
  waited = 0;
  waitedMs = 0;
  /** Waits that ran out (answered 503 `upstream_busy`). */
  timeouts = 0;
  private waiters: Waiter[] = [];
  private head = 0;

  /**
   * `limit` requests at once; `limitName` says which of the operator's settings makes it (named in the
   * 503, so the operator knows what to raise).
   */
  constructor(
    public limit: number,
    public waitMs = DEFAULT_POOL_WAIT_MS,
    public limitName = "max_connections",
  ) {}

  /** Raises or lowers the limit (a pool that turned out to speak HTTP/2); waiters get the new slots at once. */
  setLimit(limit: number, limitName: string): void {
    this.limit = limit;
    this.limitName = limitName;
    while (this.inUse < this.limit && this.queued > 0) {
      this.inUse++;
      this.release();
    }
  }

  /** Takes a slot at once when one is free (no promise, no allocation: the common case). */
  tryAcquire(): boolean {
    if (this.inUse >= this.limit || this.queued > 0) return false;
    this.inUse++;
    return true;
  }

  /** Waits up to `waitMs` for a slot; resolves with the ms waited, or rejects with `upstream_busy`. */
  wait(provider: string, signal?: ClientSignal): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      const w: Waiter = { resolve, reject, since: performance.now(), done: false, timer: undefined };
      const drop = (err: Error) => {
        if (w.done) return;
        w.done = true;
        this.queued--;
        if (w.timer) clearTimeout(w.timer);
        reject(err);
      };
      w.timer = setTimeout(() => {
        this.timeouts++;
        drop(
          new RouterError(
            "upstream_busy",
            `Provider ${provider} is at its limit of ${this.limit} concurrent requests (${this.limitName}); none freed up in ${this.waitMs} ms.`,
          ),
        );
      }, this.waitMs);
      w.timer.unref();
      signal?.once("abort", () => drop(new RouterError("invalid_request", "Client closed the request.")));
      this.queued++;
      this.waiters.push(w);
    });
  }

  /** Gives a slot back: straight to the longest waiter, if any. */
  release(): void {
    while (this.head < this.waiters.length) {
      const w = this.waiters[this.head++]!;
      if (this.head >= 1024 && this.head * 2 >= this.waiters.length) {
        this.waiters = this.waiters.slice(this.head);
        this.head = 0;
      }
      if (w.done) continue;
      w.done = true;
      this.queued--;
      clearTimeout(w.timer);
      const ms = performance.now() - w.since;
      this.waited++;
      this.waitedMs += ms;
      w.resolve(ms);
      return;
    }
    this.waiters.length = 0;
    this.head = 0;
    this.inUse--;
  }
}
