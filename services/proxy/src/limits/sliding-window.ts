/** Slots of one second; 61 so that an event counts for at least 60 s (between 60 and 61 s). */
const SLOTS = 61;

/**
 * A count over the last 60 s at one-second resolution: 61 one-second slots in a ring and their running
 * total. `add` and `total` are O(1) (advancing clears at most 61 slots once, however long the gap);
 * nothing is allocated after construction. An event leaves the window 60-61 s after it happened, never
 * earlier, so the window never admits more than its limit in any 60 s.
 */
export class SlidingWindow {
  private readonly slots = new Float64Array(SLOTS);
  /** The second (Unix s) of the newest slot; -1 before the first event. */
  private head = -1;
  private sum = 0;

  /** The count in the window at `now` (Unix ms). */
  total(now: number): number {
    this.advance(Math.floor(now / 1000));
    return this.sum;
  }

  /** Adds `n` at `now` (Unix ms). */
  add(now: number, n: number): void {
    const sec = Math.floor(now / 1000);
    this.advance(sec);
    // A clock that went back counts into the newest slot.
    const i = Math.max(sec, this.head) % SLOTS;
    this.slots[i] = this.slots[i]! + n;
    this.sum += n;
  }

  /**
   * Milliseconds from `now` until the total is below `limit` (0 when it already is): the time until enough
   * of the oldest seconds leave the window. O(61), only called when a request is refused.
   */
  msUntilBelow(now: number, limit: number): number {
    let left = this.total(now);
    if (left < limit) return 0;
    for (let s = this.head - SLOTS + 1; s <= this.head; s++) {
      left -= this.slots[((s % SLOTS) + SLOTS) % SLOTS]!;
      // Slot `s` leaves the window when second s + SLOTS begins.
      if (left < limit) return Math.max(0, (s + SLOTS) * 1000 - now);
    }
    return Math.max(0, (this.head + SLOTS) * 1000 - now);
  }

  private advance(sec: number): void {
    if (sec <= this.head) return;
    if (this.head < 0 || sec - this.head >= SLOTS) {
      this.slots.fill(0);
      this.sum = 0;
    } else {
      for (let s = this.head + 1; s <= sec; s++) {
        const i = s % SLOTS;
        this.sum -= this.slots[i]!;
        this.slots[i] = 0;
      }
    }
    this.head = sec;
  }
}
