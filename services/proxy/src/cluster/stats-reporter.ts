import { subscribeValid } from "@ai-router/cluster";
import { natsSubjects, SpendUpdate, type StatsReport } from "@ai-router/contracts";
import type { NatsConnection } from "@nats-io/transport-node";
import type { UsageRecorder } from "../stats/usage-recorder.js";

/**
 * Publishes this replica's counters every `everyMs` so the control plane can answer `/v1/stats` for the
 * whole cluster, and zeroes them when the control plane asks (`POST /v1/stats/reset`). Limited keys'
 * counters ride along, cumulative since `startedAt` and never reset: budgets are built from them. The
 * control plane answers with the cluster-wide spend of budgeted keys (a SpendUpdate), which the key
 * limiters check budgets against.
 */
export function reportStats(nc: NatsConnection, bucket: string, usage: UsageRecorder, replica: string, everyMs = 2_000): () => void {
  const startedAt = Date.now();
  const publish = () => {
    if (nc.isClosed()) return;
    const report: StatsReport = { replica, at: Date.now(), models: Object.fromEntries(usage.byModel), startedAt };
    // Cumulative per-key spend and tokens: the control plane adds the increase to each key's persisted spend.
    const keys = usage.keyLimits.report();
    if (keys) report.keys = keys;
    try {
      nc.publish(natsSubjects.stats(bucket), JSON.stringify(report));
    } catch {
      // disconnected: the next tick reports again
    }
  };
  const sub = nc.subscribe(natsSubjects.statsReset(bucket), {
    callback: () => {
      usage.reset();
      publish();
    },
  });
  const spend = subscribeValid(nc, natsSubjects.spend(bucket), SpendUpdate, (u) => usage.keyLimits.applySpend(u, replica));
  const timer = setInterval(publish, everyMs);
  timer.unref();
  publish();
  return () => {
    clearInterval(timer);
    sub.unsubscribe();
    spend.unsubscribe();
  };
}
