import { LoopLoad, lineMayStart, PACE_DEFAULTS, type PaceOptions } from "./live-pace.js";

/**
 * Keeps batch lines below live traffic on one replica when they arrive from outside it (cluster mode:
 * the health worker sends them through any replica's front door), by the rules of `lineMayStart`
 * (live-pace.ts). Each replica judges by its own load: a busy replica holds its share of lines, a quiet
 * one serves them.
 */
export class BatchGate {
  private waiting = 0;
  private running = 0;
  private lastLive = -Infinity;
  private lastLine = -Infinity;
  private readonly wakers = new Set<() => void>();
  private readonly o: PaceOptions;

  constructor(
    private readonly inFlight: () => number,
    o: Partial<PaceOptions>,
    private readonly loop: { utilization(): number } = new LoopLoad(),
  ) {
    this.o = Object.assign({}, PACE_DEFAULTS, o);
  }

  /** A request ended (`batch`: one of the lines): a waiting line may go. */
  finished(batch: boolean): void {
    if (!batch) this.lastLive = performance.now();
    for (const w of this.wakers) w();
    this.wakers.clear();
  }

  /** Resolves when the line may go (call `done()` after it ends); rejects never, gives up when `aborted()`. */
  async admit(aborted: () => boolean): Promise<void> {
    this.waiting++;
    try {
      for (;;) {
        const now = performance.now();
        const state = {
          live: this.inFlight() - this.waiting - this.running,
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
    } finally {
      this.waiting--;
    }
    this.running++;
    this.lastLine = performance.now();
  }

  done(): void {
    this.running--;
  }
}
