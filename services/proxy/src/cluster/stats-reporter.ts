import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { publishSigned, subscribeSignedSignal, subscribeValid, warnEvery } from "@ai-router/cluster";
import { natsSubjects, type Signer, SpendUpdate, type StatsReport } from "@ai-router/contracts";
import type { Logger } from "@ai-router/logger";
import type { NatsConnection } from "@nats-io/transport-node";
import type { UsageRecorder } from "../record/usage-recorder.js";

/**
 * Publishes this replica's counters every `everyMs` so the control plane can answer `/v1/stats` for the
 * whole cluster, and zeroes them when the control plane asks (`POST /v1/stats/reset`). Limited keys'
 * counters ride along, cumulative since `startedAt` and never reset: budgets are built from them. The
 * control plane answers with the cluster-wide spend of budgeted keys (a SpendUpdate), which the key
 * limiters check budgets against.
 */
/** This process's replica id in NATS reports. */
export const replicaId = `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;

export interface StatsReporting {
  /** Reports again shortly (coalesced): a replica that just appeared learns of this one at once. */
  soon(): void;
  stop(): void;
}

export function reportStats(
  nc: NatsConnection,
  bucket: string,
  usage: UsageRecorder,
  signer: Signer,
  logger: Logger,
  replica: string,
  everyMs = 2_000,
): StatsReporting {
  const startedAt = Date.now();
  const failed = warnEvery(logger, "stats report");
  const publish = () => {
    if (nc.isClosed()) return;
    const report: StatsReport = { replica, at: Date.now(), models: Object.fromEntries(usage.byModel), startedAt };
    // Cumulative per-key spend and tokens: the control plane adds the increase to each key's persisted spend.
    const keys = usage.keyLimits.report();
    if (keys) report.keys = keys;
    // Disconnected: the next tick reports again.
    publishSigned(nc, signer, natsSubjects.stats(bucket), report, failed);
  };
  // Only signed commands and updates count: whoever can write to NATS without ROUTER_MASTER_KEY must
  // not zero the counters or lower a key's spend below its budget.
  const rejected = (what: string) => (why: string) => logger.warn({ why }, `${what} rejected`);
  const sub = subscribeSignedSignal(
    nc,
    signer,
    natsSubjects.statsReset(bucket),
    () => {
      usage.reset();
      publish();
    },
    rejected("stats reset"),
  );
  const spend = subscribeValid(
    nc,
    signer,
    natsSubjects.spend(bucket),
    SpendUpdate,
    (u) => usage.keyLimits.applySpend(u, replica),
    rejected("spend update"),
  );
  const timer = setInterval(publish, everyMs);
  timer.unref();
  publish();
  let pending: NodeJS.Timeout | undefined;
  return {
    soon() {
      // Several newcomers heard at once (or one heard from every replica) make one report.
      pending ??= setTimeout(() => {
        pending = undefined;
        publish();
      }, 50);
      pending.unref();
    },
    stop() {
      clearInterval(timer);
      if (pending) clearTimeout(pending);
      sub.unsubscribe();
      spend.unsubscribe();
    },
  };
}
