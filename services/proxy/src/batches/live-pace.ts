import { performance } from "node:perf_hooks";

/**
 * How busy this process's event loop was over the last window (at least `windowMs`): its utilization
 * (0-1, Node's `eventLoopUtilization`), read lazily when asked, so it costs nothing without batch lines.
 */
export class LoopLoad {
  private mark = performance.eventLoopUtilization();
  private at = performance.now();
  private last = 0;

  constructor(private readonly windowMs = 200) {}

  utilization(): number {
    const now = performance.now();
    if (now - this.at >= this.windowMs) {
      const cur = performance.eventLoopUtilization();
      this.last = performance.eventLoopUtilization(cur, this.mark).utilization;
      this.mark = cur;
      this.at = now;
    }
    return this.last;
  }
}

export interface PaceOptions {
  /** No line while more live requests than this are in flight. */
  liveThreshold: number;
  /** Lines at once while live traffic is about (a live request in flight, or one ended in the last 100 ms). */
  busyConcurrency: number;
  /** While live traffic is about, a line starts only while the event loop's utilization is below this... */
  busyUtilization: number;
  /** ...or when no line has started for this long (a batch still moves, slowly, under a saturated replica). */
  trickleMs: number;
}

export const PACE_DEFAULTS: PaceOptions = { liveThreshold: 32, busyConcurrency: 1, busyUtilization: 0.5, trickleMs: 1000 };

/** What a replica knows when a batch line asks to start. */
export interface PaceState {
  /** Live (non-batch) requests in flight. */
  live: number;
  /** Batch lines running here. */
  lines: number;
  /** ms since the last live request ended. */
  sinceLive: number;
  /** ms since the last batch line started. */
  sinceLine: number;
  /** The event loop's recent utilization (LoopLoad). */
  load: () => number;
}

/**
 * Whether one more batch line may start now: batch lines run below live traffic. A quiet replica runs
 * them freely (up to the caller's concurrency); a replica with live traffic about runs `busyConcurrency`
 * at a time and only while its event loop has room, so a saturated replica gives its batch lines no
 * more than one per `trickleMs` and live requests keep their latency.
 */
export function lineMayStart(s: PaceState, o: PaceOptions): boolean {
  if (s.live > o.liveThreshold) return false;
  const busy = s.live > 0 || s.sinceLive < 100;
  if (!busy) return true;
  if (s.lines >= o.busyConcurrency) return false;
  return s.sinceLine >= o.trickleMs || s.load() < o.busyUtilization;
}

/** The pace from the proxy's environment (ROUTER_BATCH_*). */
export const batchPace = (env: {
  ROUTER_BATCH_LIVE_THRESHOLD: number;
  ROUTER_BATCH_BUSY_CONCURRENCY: number;
  ROUTER_BATCH_BUSY_UTILIZATION: number;
}): PaceOptions => ({
  liveThreshold: env.ROUTER_BATCH_LIVE_THRESHOLD,
  busyConcurrency: env.ROUTER_BATCH_BUSY_CONCURRENCY,
  busyUtilization: env.ROUTER_BATCH_BUSY_UTILIZATION,
  trickleMs: PACE_DEFAULTS.trickleMs,
});
