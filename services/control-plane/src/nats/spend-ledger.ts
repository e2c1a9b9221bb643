import type { SpendUpdate } from "@ai-router/contracts";
import type { Logger } from "@ai-router/logger";
import type { PrismaClient } from "../db/client.js";

export interface SpendLedgerOptions {
  /** How often the ledger's spend is read (and published when it changed). */
  flushMs?: number;
  /** A spend update is sent at least this often while budgeted keys exist (proxies that missed one catch up). */
  refreshMs?: number;
}

/**
 * Publishes the budgeted keys' spend as the usage ledger holds it. The ledger writer (health worker)
 * adds each stored record's cost to `client_keys.spent_usd` and to `usage_replica_spend` in the same
 * transaction as the row, so the spend is exact and survives any restart: this class holds no state
 * that a control-plane restart could lose. Each update says, per replica, how much of a key's spend
 * came from that replica's records (`accounted`): a replica swaps it for its live cumulative spend,
 * which covers what the ledger has not stored yet (docs/usage-ledger.md).
 */
export class SpendLedger {
  private readonly flushMs: number;
  private readonly refreshMs: number;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private lastBody = "";
  private lastPublish = 0;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly publish: (update: SpendUpdate) => void,
    private readonly logger: Logger,
    opts: SpendLedgerOptions = {},
  ) {
    this.flushMs = opts.flushMs ?? 1_000;
    this.refreshMs = opts.refreshMs ?? 10_000;
  }

  start(): void {
    this.timer ??= setInterval(() => void this.flush(), this.flushMs);
    this.timer.unref();
  }

  /** Reads the ledger's spend; publishes it when it changed, or at least every `refreshMs`. */
  flush(now = Date.now()): Promise<void> {
    this.running ??= this.read(now, false).finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** Sends every budgeted key's ledger spend to the proxies now (after a reset, for one). */
  publishSpend(): Promise<void> {
    return this.read(Date.now(), true);
  }

  private async read(now: number, force: boolean): Promise<void> {
    try {
      const at = Date.now();
      const keys = await this.prisma.$queryRaw<{ id: number; hash: string; spent_usd: number | null }[]>`
        SELECT id, hash, spent_usd FROM client_keys WHERE budget_usd IS NOT NULL AND revoked = false`;
      if (keys.length === 0) return;
      const parts = await this.prisma.$queryRaw<{ replica: string; key_id: string; cost_usd: number }[]>`
        SELECT s.replica, s.key_id, s.cost_usd FROM usage_replica_spend s
        JOIN client_keys k ON k.id::text = s.key_id
        WHERE k.budget_usd IS NOT NULL AND k.revoked = false AND s.at > now() - interval '7 days'`;
      const hashOf = new Map(keys.map((k) => [String(k.id), k.hash]));
      const update: SpendUpdate = { at, keys: {}, accounted: {} };
      for (const k of keys) update.keys[k.hash] = k.spent_usd ?? 0;
      for (const p of parts) {
        const hash = hashOf.get(p.key_id);
        if (hash === undefined) continue;
        (update.accounted![p.replica] ??= {})[hash] = p.cost_usd;
      }
      const body = JSON.stringify([update.keys, update.accounted]);
      if (!force && body === this.lastBody && now - this.lastPublish < this.refreshMs) return;
      this.lastBody = body;
      this.lastPublish = now;
      this.publish(update);
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, "could not read client key spend from the ledger; will retry");
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
