import type { KeyCounters, SpendUpdate, TableClientKey } from "@ai-router/contracts";
import { hasLimits, KeyLimiter } from "./key-limiter.js";

/**
 * The limiters of the keys that have limits, by SHA-256. They outlive routing tables: a new table
 * reconfigures them (limits, spend baseline) and never resets a window or this replica's counters.
 */
export class KeyLimits {
  private readonly bySha = new Map<string, KeyLimiter>();

  /** Takes the limits of a table's keys; called when the table is swapped in (`tableAt`: its compile time). */
  applyTable(keys: Iterable<TableClientKey>, tableAt = 0): void {
    for (const k of keys) {
      let l = this.bySha.get(k.sha256);
      if (!l) {
        if (!hasLimits(k)) continue;
        l = new KeyLimiter(k.sha256, k.name);
        this.bySha.set(k.sha256, l);
      }
      // A key whose limits were removed keeps its counters (and stops being checked).
      l.configure(k, tableAt);
    }
  }

  /**
   * Takes the cluster-wide spend of budgeted keys (a SpendUpdate from the control plane), minus what the
   * control plane counted from this replica (`replica`: its id in stats reports).
   */
  applySpend(update: SpendUpdate, replica: string): void {
    const mine = update.accounted?.[replica];
    for (const [sha, spent] of Object.entries(update.keys)) this.bySha.get(sha)?.applySpend(spent - (mine?.[sha] ?? 0), update.at);
  }

  /** The limiter of a key that has limits. */
  get(sha256: string): KeyLimiter | undefined {
    return this.bySha.get(sha256);
  }

  /** This replica's cumulative counters of every key that served a request; undefined when none did. */
  report(): Record<string, KeyCounters> | undefined {
    let out: Record<string, KeyCounters> | undefined;
    for (const [sha, l] of this.bySha) {
      if (l.counters.requests === 0) continue;
      out ??= {};
      out[sha] = Object.assign({}, l.counters);
    }
    return out;
  }
}
