import { publishSigned, subscribeValid } from "@ai-router/cluster";
import { type ModelCounters, natsSubjects, type Signer, StatsReport, seedStatsCounters } from "@ai-router/contracts";
import type { Logger } from "@ai-router/logger";
import type { NatsConnection } from "@nats-io/transport-node";
import type { SpendLedger } from "./spend-ledger.js";

/**
 * Sums the counters every proxy replica reports over NATS, for the cluster-wide `/v1/stats`. A replica
 * not heard from for `staleMs` (stopped, crashed) drops out of the sums, as its process counters would.
 */
export class StatsAggregator {
  private readonly reports = new Map<string, StatsReport>();
  private nc: NatsConnection | undefined;
  private lastSweep = 0;
  /** Publishes the budgeted keys' spend from the usage ledger (the admin API republishes it after a reset). */
  spend: SpendLedger | undefined;

  constructor(
    private readonly bucket: string,
    private readonly logger: Logger,
    /** Reports must be signed (ROUTER_MASTER_KEY): a forged one could otherwise inflate a key's spend. */
    private readonly signer: Signer,
    private readonly staleMs = 15_000,
  ) {}

  attach(nc: NatsConnection): void {
    this.nc = nc;
    subscribeValid(
      nc,
      this.signer,
      natsSubjects.stats(this.bucket),
      StatsReport,
      (report) => this.take(report),
      (why) => this.logger.warn({ why }, "ignored a stats report"),
    );
  }

  /**
   * Takes one replica's report. Replicas that stopped reporting (each restart is a new replica id) are
   * dropped here too, at most once a second, so the map stays as large as the live cluster even when
   * nobody reads `/v1/stats`.
   */
  take(report: StatsReport, now = Date.now()): void {
    this.reports.set(report.replica, report);
    if (now - this.lastSweep >= 1_000) {
      this.lastSweep = now;
      for (const [id, r] of this.reports) if (now - r.at > this.staleMs) this.reports.delete(id);
    }
  }

  /** Replicas currently remembered (live ones, and stale ones until the next sweep). */
  get size(): number {
    return this.reports.size;
  }

  /** Asks every replica to zero its counters. Returns false when NATS is not connected. */
  reset(): boolean {
    this.reports.clear();
    if (!this.nc) return false;
    return publishSigned(this.nc, this.signer, natsSubjects.statsReset(this.bucket), undefined);
  }

  snapshot(now = Date.now()) {
    const sum = new Map<string, ModelCounters>();
    let replicas = 0;
    for (const [id, r] of this.reports) {
      if (now - r.at > this.staleMs) {
        this.reports.delete(id);
        continue;
      }
      replicas++;
      for (const [model, c] of Object.entries(r.models)) {
        const s = sum.get(model) ?? { requests: 0, failures: 0, promptTokens: 0, completionTokens: 0, costUsd: 0, lastRequestTime: 0 };
        s.requests += c.requests;
        s.failures += c.failures;
        s.promptTokens += c.promptTokens;
        s.completionTokens += c.completionTokens;
        s.costUsd += c.costUsd;
        s.lastRequestTime = Math.max(s.lastRequestTime, c.lastRequestTime);
        sum.set(model, s);
      }
    }
    return { replicas, ...seedStatsCounters(sum) };
  }
}
