import type { Candidate } from "./types.js";

const UNAVAILABLE = 1 << 12; // above any priority (max 1000) * 2 + 1

/** Sort class of a candidate, lower first: available before open breakers, then priority tier, then preferred. */
export function classOf(c: Candidate, now: number): number {
  return (c.health.available(now) ? 0 : UNAVAILABLE) + c.priority * 2 + (c.preferred ? 0 : 1);
}

/**
 * Preallocated working memory of one balancer. `classify()` finds the lead group (the candidates a
 * strategy may pick first: available, best tier, preferred if any is); the strategy fills `key` (lower =
 * earlier) and names a leader; `emit()` returns the try order. One array is allocated per request: the
 * result, which the caller keeps across awaits.
 */
export class OrderBuffer {
  readonly n: number;
  readonly cls: Int32Array;
  /** Strategy's sort key per candidate index (lower first, within a class). */
  readonly key: Float64Array;
  /** Indices of the lead group, `leadCount` of them. */
  readonly lead: Int32Array;
  leadCount = 0;
  /** Class of the lead group. */
  leadClass = 0;
  private readonly idx: Int32Array;

  constructor(readonly list: readonly Candidate[]) {
    this.n = list.length;
    this.cls = new Int32Array(this.n);
    this.key = new Float64Array(this.n);
    this.lead = new Int32Array(this.n);
    this.idx = new Int32Array(this.n);
  }

  /** Computes every candidate's class and the lead group at `now`. */
  classify(now: number): void {
    let best = Number.MAX_SAFE_INTEGER;
    let count = 0;
    for (let i = 0; i < this.n; i++) {
      const k = classOf(this.list[i] as Candidate, now);
      this.cls[i] = k;
      if (k < best) {
        best = k;
        count = 0;
      }
      if (k === best) this.lead[count++] = i;
    }
    this.leadClass = best;
    this.leadCount = count;
  }

  /** True when the candidate at `i` is in the lead group. */
  isLead(i: number): boolean {
    return this.cls[i] === this.leadClass;
  }

  /** The lead-group member with the lowest key; ties go to the first one met starting at `offset`. */
  minLead(offset = 0): number {
    const m = this.leadCount;
    let best = -1;
    let bestKey = Number.POSITIVE_INFINITY;
    for (let j = 0; j < m; j++) {
      const i = this.lead[(offset + j) % m] as number;
      const k = this.key[i] as number;
      if (best < 0 || k < bestKey) {
        best = i;
        bestKey = k;
      }
    }
    return best;
  }

  /** Candidates by (class, leader first, key, config order). */
  emit(leader: number): Candidate[] {
    const { n, cls, key, idx } = this;
    for (let i = 0; i < n; i++) idx[i] = i;
    // Insertion sort: n is small (a model's providers) and it allocates nothing.
    for (let i = 1; i < n; i++) {
      const a = idx[i] as number;
      let j = i - 1;
      while (j >= 0 && this.before(a, idx[j] as number, leader, cls, key)) {
        idx[j + 1] = idx[j] as number;
        j--;
      }
      idx[j + 1] = a;
    }
    const out: Candidate[] = new Array(n);
    for (let i = 0; i < n; i++) out[i] = this.list[idx[i] as number] as Candidate;
    return out;
  }

  private before(a: number, b: number, leader: number, cls: Int32Array, key: Float64Array): boolean {
    const ca = cls[a] as number;
    const cb = cls[b] as number;
    if (ca !== cb) return ca < cb;
    if (a === leader) return true;
    if (b === leader) return false;
    const ka = key[a] as number;
    const kb = key[b] as number;
    if (ka !== kb) return ka < kb || Number.isNaN(kb);
    return a < b;
  }
}
