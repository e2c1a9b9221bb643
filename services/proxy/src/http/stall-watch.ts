import type { ServerResponse } from "node:http";

/** How long a response may wait on a client that reads nothing before it is cut (default). */
export const DEFAULT_CLIENT_STALL_MS = 30_000;

/**
 * Bounds how long a response may stall on the client side. A client that stops reading fills its
 * socket, the proxy pauses the upstream body (backpressure), and undici's body timeout never fires
 * while paused: the stream would hold an upstream pool connection for as long as the client likes,
 * and a few hundred such clients would block a provider for everyone. The stream relay reports when a
 * write must wait for `drain` and when it drained; a single timer looks at the waiting responses once
 * per `checkMs`, and one that has waited for `stallMs` is destroyed, which aborts its upstream call and
 * frees the connection.
 *
 * Only responses under backpressure are held here, never every response: a long-lived collection that
 * each request entered kept every request's objects reachable from the old generation, and the
 * proxy's heap (and CPU per request) grew with it.
 */
export class StallWatch {
  /** Responses waiting for `drain`, and since when (performance.now()). */
  private readonly waiting = new Map<ServerResponse, number>();
  private readonly timer: NodeJS.Timeout;
  /** Responses cut for a stalled client since start. */
  cut = 0;

  constructor(
    readonly stallMs: number,
    private readonly onCut: (res: ServerResponse, stalledMs: number) => void,
    checkMs = Math.min(1_000, Math.max(50, stallMs / 4)),
  ) {
    this.timer = setInterval(() => this.check(), checkMs);
    this.timer.unref();
  }

  /** A write to `res` must wait for `drain` (the client is not reading fast enough). */
  stalled(res: ServerResponse): void {
    if (!this.waiting.has(res)) this.waiting.set(res, performance.now());
  }

  /** `res` drained, or closed. */
  drained(res: ServerResponse): void {
    this.waiting.delete(res);
  }

  private check(): void {
    if (this.waiting.size === 0) return;
    const now = performance.now();
    for (const [res, since] of this.waiting) {
      if (now - since < this.stallMs) continue;
      this.waiting.delete(res);
      this.cut++;
      this.onCut(res, now - since);
      res.destroy();
    }
  }

  close(): void {
    clearInterval(this.timer);
  }
}
