import type { ServerResponse } from "node:http";

/** How long a response may wait on a client that reads nothing before it is cut (default). */
export const DEFAULT_CLIENT_STALL_MS = 30_000;

interface Stall {
  since: number;
}

/**
 * Bounds how long a response may stall on the client side. A client that stops reading fills its
 * socket, the proxy pauses the upstream body (backpressure), and undici's body timeout never fires
 * while paused: the stream would hold an upstream pool connection for as long as the client likes,
 * and a few hundred such clients would block a provider for everyone. A single timer looks at the
 * responses in flight once per `checkMs`: one that has needed a drain for `stallMs` is destroyed,
 * which aborts its upstream call and frees the connection. Costs the request path one Set add/delete.
 */
export class StallWatch {
  private readonly open = new Set<ServerResponse>();
  private readonly stalls = new WeakMap<ServerResponse, Stall>();
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

  /** Watches `res`; the owner calls `unwatch` when it closes (it already listens for that). */
  watch(res: ServerResponse): void {
    this.open.add(res);
  }

  unwatch(res: ServerResponse): void {
    this.open.delete(res);
  }

  private check(): void {
    const now = performance.now();
    for (const res of this.open) {
      if (!res.writableNeedDrain) continue;
      const s = this.stalls.get(res);
      if (s === undefined) {
        const stall = { since: now };
        this.stalls.set(res, stall);
        res.once("drain", () => this.stalls.delete(res));
        continue;
      }
      if (now - s.since < this.stallMs) continue;
      this.open.delete(res);
      this.cut++;
      this.onCut(res, now - s.since);
      res.destroy();
    }
  }

  close(): void {
    clearInterval(this.timer);
  }
}
