import { publishSigned, warnEvery } from "@ai-router/cluster";
import { type Signer, splitTargetsReport, type TargetsReport, targetsSubject } from "@ai-router/contracts";
import type { Logger } from "@ai-router/logger";
import type { NatsConnection } from "@nats-io/transport-node";
import type { TableStore } from "../routing/table-store.js";

/**
 * Publishes this replica's view of every target (breaker, moving averages, probe verdict) every
 * `everyMs`, for the console's health page (the control plane keeps the last report per replica).
 * Off the request path: one snapshot of each target per tick, in messages of at most
 * TARGETS_PER_PART targets.
 */
export function reportTargets(
  nc: NatsConnection,
  bucket: string,
  store: TableStore,
  replica: string,
  signer: Signer,
  logger: Logger,
  everyMs = 5_000,
): () => void {
  const failed = warnEvery(logger, "targets report");
  const publish = () => {
    if (nc.isClosed()) return;
    const t = store.current;
    const now = Date.now();
    const targets: TargetsReport["targets"] = [];
    for (const m of t?.models.values() ?? [])
      for (const target of m.targets)
        targets.push({
          model: m.config.name,
          provider: target.provider,
          upstream_model: target.upstreamModel,
          ...target.health.snapshot(now),
        });
    const report: TargetsReport = { replica, at: now, revision: t?.revision ?? null, targets };
    // Signed like every cluster message (disconnected: the next tick reports again); a large table's
    // targets go in several messages.
    for (const part of splitTargetsReport(report)) publishSigned(nc, signer, targetsSubject(bucket), part, failed);
  };
  const timer = setInterval(publish, everyMs);
  timer.unref();
  publish();
  return () => clearInterval(timer);
}
