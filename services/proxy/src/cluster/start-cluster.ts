import { decryptSecret, parseMasterKey, routingBucketName } from "@ai-router/contracts";
import type { Logger } from "@ai-router/logger";
import type { ProxyEnv } from "../env.js";
import { TableStore } from "../routing/table-store.js";
import { type AdminForwarder, createAdminForwarder } from "./admin-forward.js";
import { subscribeHealthFeed } from "./health-feed.js";
import { RoutingWatcher } from "./routing-watcher.js";
import { replicaId, reportStats } from "./stats-reporter.js";
import { TableCache } from "./table-cache.js";
import { reportTargets } from "./targets-reporter.js";

export interface ClusterWiring {
  store: TableStore;
  forwarder: AdminForwarder;
  /** Starts watching (call once the proxy exists, so stats can be reported). */
  start(usage: Parameters<typeof reportStats>[2]): void;
  close(): Promise<void>;
}

/** Cluster mode: a store that decrypts sealed keys, fed by the NATS watcher, plus admin forwarding. */
export function createCluster(env: ProxyEnv & { NATS_URL: string }, logger: Logger): ClusterWiring {
  const masterKey = env.ROUTER_MASTER_KEY ? parseMasterKey(env.ROUTER_MASTER_KEY) : undefined;
  if (!masterKey) logger.warn("ROUTER_MASTER_KEY is not set: tables with encrypted provider keys will be refused");
  const bucket = routingBucketName({ ROUTER_NATS_BUCKET: env.ROUTER_NATS_BUCKET });
  const store = new TableStore(logger, { decrypt: (s) => decryptSecret(s, masterKey) });
  const forwarder = createAdminForwarder(env.CONTROL_PLANE_URL, logger);
  let stopStats: (() => void) | undefined;
  let stopHealth: (() => void) | undefined;
  let stopTargets: (() => void) | undefined;
  let watcher: RoutingWatcher | undefined;
  return {
    store,
    forwarder,
    start(usage) {
      watcher = new RoutingWatcher({
        natsUrl: env.NATS_URL,
        bucket,
        store,
        logger,
        ...(env.ROUTER_TABLE_CACHE ? { cache: new TableCache(env.ROUTER_TABLE_CACHE) } : {}),
        onConnect: (nc) => {
          stopStats = reportStats(nc, bucket, usage);
          // Active probes from the health worker (if one runs) take failing providers out of rotation.
          stopHealth = subscribeHealthFeed(nc, bucket, store, logger);
          // Breakers and moving averages per target, for the console's health page.
          stopTargets = reportTargets(nc, bucket, store, replicaId);
        },
      });
      watcher.start();
    },
    async close() {
      stopStats?.();
      stopHealth?.();
      stopTargets?.();
      forwarder.close();
      await watcher?.close();
    },
  };
}
