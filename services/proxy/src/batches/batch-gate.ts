import { LoopLoad, lineMayStart, PACE_DEFAULTS, type PaceOptions } from "./live-pace.js";

/** The proxy a gate keeps batch lines below: its live requests in flight, and each request's end. */
export interface GateHost {
  liveInFlight(): number;
  onRequestFinished(listener: (r: { batchId: string | null }) => void): void;
}

/**
 * Keeps batch lines below live traffic on one replica, by the rules of `lineMayStart` (live-pace.ts).
 * Standalone, the runner asks it before it sends a line; in a cluster the front door asks it for each
 * line the health worker sends (the server counts batch lines apart from live requests). Each
 * replica judges by its own load: a busy replica holds its share of lines, a quiet one serves them.
 */
export class BatchGate {
  private running = 0;
  private lastLive = -Infinity;
  private lastLine = -Infinity;
  private readonly wakers = new Set<() => void>();
  private readonly o: PaceOptions;
  /** Live requests in flight at the front door (0 until attached: a quiet replica). */
  private liveInFlight: () => number = () => 0;

  constructor(
    o: Partial<PaceOptions> = {},
    private readonly loop: { utilization(): number } = new LoopLoad(),
  ) {
    this.o = Object.assign({}, PACE_DEFAULTS, o);
  }

  /** Follows the proxy whose traffic it keeps lines below. */
  attach(host: GateHost): void {
    this.liveInFlight = () => host.liveInFlight();
    host.onRequestFinished((r) => this.finished(r.batchId !== null));
  }

  /** A request ended (`batch`: one of the lines): a waiting line may go. */
  finished(batch: boolean): void {
    if (!batch) this.lastLive = performance.now();
    for (const w of this.wakers) w();
    this.wakers.clear();
  }

  /** Resolves when the line may go (call `done()` after it ends); rejects never, gives up when `aborted()`. */
  async admit(aborted: () => boolean): Promise<void> {
    for (;;) {
      const now = performance.now();
      const state = {
        live: this.liveInFlight(),
        lines: this.running,
        sinceLive: now - this.lastLive,
        sinceLine: now - this.lastLine,
        load: () => this.loop.utilization(),
      };
      if (aborted() || lineMayStart(state, this.o)) break;
      await new Promise<void>((resolve) => {
        this.wakers.add(resolve);
        setTimeout(resolve, 20).unref();
      });
    }
    this.running++;
    this.lastLine = performance.now();
  }

  done(): void {
    this.running--;
  }
}
