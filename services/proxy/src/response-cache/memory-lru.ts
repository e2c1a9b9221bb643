/** What an entry costs beyond its bytes (the map slot, its 64-character key, the Buffer object). */
export const ENTRY_OVERHEAD = 200;

interface Slot {
  data: Buffer;
  expires: number;
}

/**
 * A least-recently-used map of byte values bounded by their total size (overhead included), each
 * expiring at its own time. Values are Buffers (off the V8 heap, their size exact). O(1) per call.
 */
export class MemoryLru {
  private readonly slots = new Map<string, Slot>();
  private total = 0;

  constructor(
    private maxBytes: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Bytes held, overhead included: never above the bound. */
  get bytes(): number {
    return this.total;
  }

  get size(): number {
    return this.slots.size;
  }

  /** A new bound (a model's `max_bytes` changed): the least recently used go until it holds. */
  resize(maxBytes: number): void {
    this.maxBytes = maxBytes;
    this.evict(0);
  }

  get(key: string): Buffer | undefined {
    const s = this.slots.get(key);
    if (s === undefined) return undefined;
    if (s.expires <= this.now()) {
      this.remove(key, s);
      return undefined;
    }
    // Most recently used last: eviction takes the first.
    this.slots.delete(key);
    this.slots.set(key, s);
    return s.data;
  }

  /** Stores `data` for `ttlMs`; false (nothing stored) when it alone exceeds the bound. */
  set(key: string, data: Buffer, ttlMs: number): boolean {
    const old = this.slots.get(key);
    if (old !== undefined) this.remove(key, old);
    const cost = data.length + ENTRY_OVERHEAD;
    if (cost > this.maxBytes) return false;
    this.evict(cost);
    this.slots.set(key, { data, expires: this.now() + ttlMs });
    this.total += cost;
    return true;
  }

  /** Makes room for `incoming` bytes: expired entries met first and the least recently used go. */
  private evict(incoming: number): void {
    for (const [k, s] of this.slots) {
      if (this.total + incoming <= this.maxBytes) return;
      this.remove(k, s);
    }
  }

  private remove(key: string, s: Slot): void {
    this.slots.delete(key);
    this.total -= s.data.length + ENTRY_OVERHEAD;
  }
}
