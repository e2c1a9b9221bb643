/**
 * Keeps batch lines below live traffic on one replica when they arrive from outside it (cluster mode:
 * the health worker sends them through any replica's front door). A line is admitted only while the
 * replica's live requests in flight are at most `liveThreshold`, and while live traffic is about (a live
 * request in flight, or one ended in the last 100 ms) at most `busyConcurrency` lines run here at once.
 * Each replica judges by its own load: a busy replica holds its share of lines, a quiet one serves them.
 */
export class BatchGate {
  private waiting = 0;
  private running = 0;
  private lastLive = -Infinity;
  private readonly wakers = new Set<() => void>();

  constructor(
    private readonly inFlight: () => number,
    private readonly o: { liveThreshold: number; busyConcurrency: number },
  ) {}

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
        const live = this.inFlight() - this.waiting - this.running;
        const busy = live > 0 || performance.now() - this.lastLive < 100;
        if (aborted() || (live <= this.o.liveThreshold && (!busy || this.running < this.o.busyConcurrency))) break;
        await new Promise<void>((resolve) => {
          this.wakers.add(resolve);
          setTimeout(resolve, 20).unref();
        });
      }
    } finally {
      this.waiting--;
    }
    this.running++;
  }

  done(): void {
    this.running--;
  }
}
