import type { SpendUpdate, StatsReport } from "@ai-router/contracts";
import type { Logger } from "@ai-router/logger";
import type { PrismaClient } from "../db/client.js";

export interface SpendLedgerOptions {
  /** How often summed spend is written to `client_keys.spent_usd`. */
  flushMs?: number;
  /** At most one spend update per this interval while budgeted keys' spend changes. */
  publishMs?: number;
  /** A spend update is sent at least this often while budgeted keys exist (proxies that missed one catch up). */
  refreshMs?: number;
  /** A replica not heard from for this long is forgotten. */
  forgetReplicaMs?: number;
}

interface ReplicaSeen {
  seenAt: number;
  /** Last cumulative spend reported per key hash. */
  spent: Map<string, number>;
}

/**
 * Turns the proxies' cumulative per-key spend (StatsReport `keys`) into each key's persisted spend:
 * the increase since a replica's previous report is added to `spent_usd`. When a key with a budget
 * spent more, the budgeted keys' spend goes to every proxy as a SpendUpdate (throttled; a core-NATS
 * message, not a table republish), so every replica enforces the budget against what all replicas
 * spent, not only its own.
 *
 * After a control-plane restart the first report of a replica that started earlier only sets the
 * baseline (its spend so far was counted by the previous instance); a replica that started after this
 * control plane is counted in full.
 */
export class SpendLedger {
  private readonly replicas = new Map<string, ReplicaSeen>();
  private readonly pending = new Map<string, number>();
  private readonly started = Date.now();
  private readonly flushMs: number;
  private readonly publishMs: number;
  private readonly refreshMs: number;
  private readonly forgetReplicaMs: number;
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private budgetDirty = false;
  private lastPublish = 0;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly publish: (update: SpendUpdate) => void,
    private readonly logger: Logger,
    opts: SpendLedgerOptions = {},
  ) {
    this.flushMs = opts.flushMs ?? 1_000;
    this.publishMs = opts.publishMs ?? 1_000;
    this.refreshMs = opts.refreshMs ?? 10_000;
    this.forgetReplicaMs = opts.forgetReplicaMs ?? 600_000;
  }

  start(): void {
    this.timer ??= setInterval(() => void this.flush(), this.flushMs);
    this.timer.unref();
  }

  /** Takes one replica's report. */
  observe(r: StatsReport, now = Date.now()): void {
    let seen = this.replicas.get(r.replica);
    const fresh = seen === undefined;
    if (!seen) {
      seen = { seenAt: now, spent: new Map() };
      this.replicas.set(r.replica, seen);
    }
    seen.seenAt = now;
    if (!r.keys) return;
    // A replica older than this control plane: what it reports now was counted before (or is lost).
    const baselineOnly = fresh && (r.startedAt ?? 0) < this.started;
    for (const [hash, c] of Object.entries(r.keys)) {
      const last = seen.spent.get(hash);
      seen.spent.set(hash, c.spentUsd);
      if (baselineOnly) continue;
      // A lower value than last time means the counter started over: all of it is new.
      const delta = last === undefined || c.spentUsd < last ? c.spentUsd : c.spentUsd - last;
      if (delta > 0) this.pending.set(hash, (this.pending.get(hash) ?? 0) + delta);
    }
  }

  /** Drops spend not yet written for a key (its spend was just reset). */
  forget(hash: string): void {
    this.pending.delete(hash);
  }

  /** Writes pending spend; republishes the table when a budgeted key's spend changed (throttled). */
  flush(now = Date.now()): Promise<void> {
    this.flushing ??= this.flushOnce(now).finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  private async flushOnce(now: number): Promise<void> {
    for (const [id, r] of this.replicas) if (now - r.seenAt > this.forgetReplicaMs) this.replicas.delete(id);
    const batch = [...this.pending];
    this.pending.clear();
    // What each replica's reports add up to once this batch is written: sent with the totals.
    const accounted = this.accounted();
    for (let i = 0; i < batch.length; i++) {
      const [hash, delta] = batch[i]!;
      try {
        const rows = await this.prisma.$queryRaw<{ budget_usd: number | null }[]>`
          UPDATE client_keys SET spent_usd = COALESCE(spent_usd, 0) + ${delta}::float8 WHERE hash = ${hash} RETURNING budget_usd`;
        if (rows[0] && rows[0].budget_usd !== null) this.budgetDirty = true;
      } catch (err) {
        // Database down: keep what was not written for the next flush.
        for (const [h, d] of batch.slice(i)) this.pending.set(h, (this.pending.get(h) ?? 0) + d);
        this.logger.warn({ err: (err as Error).message }, "could not persist client key spend; will retry");
        return;
      }
    }
    if (this.budgetDirty ? now - this.lastPublish >= this.publishMs : now - this.lastPublish >= this.refreshMs) {
      this.budgetDirty = false;
      this.lastPublish = now;
      await this.publishSpend(accounted);
    }
  }

  /** Replica -> key hash -> the last cumulative spend it reported (all of it counted in the database). */
  private accounted(): Record<string, Record<string, number>> {
    const out: Record<string, Record<string, number>> = {};
    for (const [replica, seen] of this.replicas) if (seen.spent.size > 0) out[replica] = Object.fromEntries(seen.spent);
    return out;
  }

  /** Sends every budgeted key's persisted spend to the proxies now (after a reset, for one). */
  async publishSpend(accounted = this.accounted()): Promise<void> {
    try {
      const rows = await this.prisma.$queryRaw<{ hash: string; spent_usd: number | null }[]>`
        SELECT hash, spent_usd FROM client_keys WHERE budget_usd IS NOT NULL AND revoked = false`;
      const at = Date.now();
      if (rows.length === 0) return;
      const keys: Record<string, number> = {};
      for (const r of rows) keys[r.hash] = r.spent_usd ?? 0;
      this.publish({ at, keys, accounted });
    } catch (err) {
      this.budgetDirty = true;
      this.logger.warn({ err: (err as Error).message }, "could not read client key spend; will retry");
    }
  }

  /** Stops the timer and writes what is pending. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
  }
}
