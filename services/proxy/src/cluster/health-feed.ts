import type { TargetHealth } from "@ai-router/balancing";
import { natsSubjects, ProbeReport, type Signer } from "@ai-router/contracts";
import type { Logger } from "@ai-router/logger";
import type { NatsConnection } from "@nats-io/transport-node";
import type { RuntimeTable } from "../routing/runtime-table.js";
import type { TableStore } from "../routing/table-store.js";

/** However short the worker's interval, a probe verdict lives at least this long without a new report. */
const MIN_STALE_MS = 5_000;
/** At most one "dropped" warning per this period (a misbehaving publisher must not flood the log). */
const WARN_EVERY_MS = 10_000;

/**
 * The health of every probed target, by provider: targets of a link with `healthCheck: true` (shielded
 * links are judged by live traffic only). A target several models share has one TargetHealth, listed once.
 */
export function probedHealthByProvider(table: RuntimeTable): Map<string, TargetHealth[]> {
  const probedIds = new Set<string>();
  for (const m of table.models.values()) {
    for (const c of m.config.targets) if (c.healthCheck) probedIds.add(`${c.provider}/${c.upstreamModel}`);
  }
  const out = new Map<string, TargetHealth[]>();
  const seen = new Set<TargetHealth>();
  for (const m of table.models.values()) {
    for (const t of m.targets) {
      if (!probedIds.has(t.id) || seen.has(t.health)) continue;
      seen.add(t.health);
      let list = out.get(t.provider);
      if (!list) out.set(t.provider, (list = []));
      list.push(t.health);
    }
  }
  return out;
}

export interface HealthFeed {
  /** Applies one message from the health subject; false when it was dropped (not a valid ProbeReport). */
  handle(data: Uint8Array | string, now?: number): boolean;
  /** Counts a message dropped before parsing (an unsigned or badly signed one) toward the rate-limited warning. */
  reject(reason: string, now?: number): false;
}

/**
 * Feeds the health worker's probe reports into the targets' health: after `probeFailureThreshold`
 * failed probes in a row a provider's probed targets are skipped while another candidate is healthy,
 * until a probe succeeds (or reports stop coming: the verdict lapses after a few intervals).
 */
export function createHealthFeed(store: TableStore, logger: Logger): HealthFeed {
  let index = store.current ? probedHealthByProvider(store.current) : new Map<string, TargetHealth[]>();
  // The index is rebuilt once per table, never per report.
  store.onSwap((t) => {
    index = probedHealthByProvider(t);
  });
  const decoder = new TextDecoder();
  let lastWarn = 0;
  let dropped = 0;
  const drop = (reason: string, now: number): false => {
    dropped++;
    if (now - lastWarn < WARN_EVERY_MS) return false;
    lastWarn = now;
    logger.warn({ reason, dropped }, "health report dropped");
    dropped = 0;
    return false;
  };
  return {
    reject: (reason, now = Date.now()) => drop(reason, now),
    handle(data, now = Date.now()) {
      let json: unknown;
      try {
        json = JSON.parse(typeof data === "string" ? data : decoder.decode(data));
      } catch {
        return drop("not valid JSON", now);
      }
      const parsed = ProbeReport.safeParse(json);
      if (!parsed.success) {
        const i = parsed.error.issues[0];
        return drop(`invalid report: ${i ? `${i.path.join(".")}: ${i.message}` : "schema"}`, now);
      }
      const r = parsed.data;
      const targets = index.get(r.provider);
      if (!targets) return true; // not probed here (unknown provider, or only shielded links)
      const staleAfterMs = Math.max(3 * r.intervalMs, MIN_STALE_MS);
      const wasDown = targets[0]!.probeDownAt(now);
      for (const h of targets) h.probe(r.ok, r.latencyMs, now, staleAfterMs);
      const isDown = targets[0]!.probeDownAt(now);
      if (isDown && !wasDown) {
        logger.warn(
          { provider: r.provider, consecutiveFailures: r.consecutiveFailures, status: r.status, error: r.error, targets: targets.length },
          "provider failed its health probes: its targets are skipped while another is healthy",
        );
      } else if (wasDown && !isDown) {
        logger.info({ provider: r.provider, latencyMs: r.latencyMs }, "provider passed its health probe: back in rotation");
      }
      return true;
    },
  };
}

/** Cluster mode: subscribes the proxy to the health worker's reports. Returns the unsubscribe function. */
export function subscribeHealthFeed(nc: NatsConnection, bucket: string, store: TableStore, logger: Logger, signer: Signer): () => void {
  const feed = createHealthFeed(store, logger);
  const subject = natsSubjects.health(bucket);
  const sub = nc.subscribe(subject, {
    callback: (err, msg) => {
      if (err) return void logger.warn({ err: err.message }, "health subscription error");
      try {
        // Only the health worker (holding ROUTER_MASTER_KEY) may take providers out of rotation.
        const v = signer.verify(msg.data, subject);
        if (v.ok) feed.handle(v.payload);
        else feed.reject(`${v.reason} report`);
      } catch (e) {
        logger.warn({ err: (e as Error).message }, "health report dropped");
      }
    },
  });
  return () => sub.unsubscribe();
}
