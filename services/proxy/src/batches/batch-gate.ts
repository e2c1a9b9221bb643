import { LoopLoad, lineMayStart, PACE_DEFAULTS, type PaceOptions } from "./live-pace.js";

/** The proxy a gate keeps batch lines below: its requests in flight, and each request's end. */
export interface GateHost {
  inFlight(): number;
  onRequestFinished(listener: (r: { batchId: string | null }) => void): void;
}

/**
 * Keeps batch lines below live traffic on one replica, by the rules of `lineMayStart` (live-pace.ts).
 * Standalone, the runner asks it before it sends a line; in a cluster the front door asks it for each
 * line the health worker sends (a line waiting there is already one of the requests in flight). Each
 * replica judges by its own load: a busy replica holds its share of lines, a quiet one serves them.
 */
export class BatchGate {
  private waiting = 0;
  private running = 0;
  private lastLive = -Infinity;
  private lastLine = -Infinity;
  private readonly wakers = new Set<() => void>();
  private readonly o: PaceOptions;
  /** Requests in flight at the front door (0 until attached: a quiet replica). */
  private inFlight: () => number = () => 0;
  /** Whether lines waiting here are among the requests in flight (they wait at the front door). */
  private waitersInFlight = false;
  /** Whether running lines are among this process's requests in flight (not when a batch lane serves them). */
  private linesHere = true;

  constructor(
    o: Partial<PaceOptions> = {},
    private readonly loop: { utilization(): number } = new LoopLoad(),
  ) {
    this.o = Object.assign({}, PACE_DEFAULTS, o);
  }

  /** Follows the proxy whose traffic it keeps lines below; `atFrontDoor`: lines wait inside requests. */
  attach(host: GateHost, atFrontDoor: boolean): void {
    this.inFlight = () => host.inFlight();
    this.waitersInFlight = atFrontDoor;
    host.onRequestFinished((r) => this.finished(r.batchId !== null));
  }

  /** The lines run in another process (the batch lane): every request in flight here is live. */
  linesElsewhere(): void {
    this.linesHere = false;
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
          live: this.inFlight() - (this.linesHere ? this.running : 0) - (this.waitersInFlight ? this.waiting : 0),
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
