import { ensureUsageStream, natsConnectOptions } from "@ai-router/cluster";
import { createSigner, decryptSecret, parseMasterKey, routingBucketName, usageLedger } from "@ai-router/contracts";
import type { Logger } from "@ai-router/logger";
import { jetstream } from "@nats-io/jetstream";
import type { ProxyEnv } from "../env.js";
import { TableStore } from "../routing/table-store.js";
import { LedgerPublisher } from "../usage/ledger-publisher.js";
import { type AdminForwarder, createAdminForwarder } from "./admin-forward.js";
import { subscribeHealthFeed } from "./health-feed.js";
import { RoutingWatcher } from "./routing-watcher.js";
import { reportStats } from "./stats-reporter.js";
import { TableCache } from "./table-cache.js";
import { reportTargets } from "./targets-reporter.js";

export interface ClusterWiring {
  store: TableStore;
  forwarder: AdminForwarder;
  /** Usage records -> the ledger stream (a sink for the proxy). */
  ledger: LedgerPublisher;
  /** The NATS servers, without credentials (for log lines). */
  servers: string;
  /** Starts watching (call once the proxy exists, so stats can be reported). */
  start(usage: Parameters<typeof reportStats>[2]): void;
  close(): Promise<void>;
}

/** Cluster mode: a store that decrypts sealed keys, fed by the NATS watcher, plus admin forwarding. */
export function createCluster(
  env: ProxyEnv & { NATS_URL: string },
  logger: Logger,
  replica: string,
  onDropped?: () => void,
): ClusterWiring {
  // Required: it opens the sealed provider keys and checks the signature of every table and update.
  if (!env.ROUTER_MASTER_KEY) throw new Error("ROUTER_MASTER_KEY is required in cluster mode (it verifies the signed routing tables)");
  const masterKey = parseMasterKey(env.ROUTER_MASTER_KEY);
  const signer = createSigner(masterKey);
  const bucket = routingBucketName({ ROUTER_NATS_BUCKET: env.ROUTER_NATS_BUCKET });
  const store = new TableStore(logger, { decrypt: (s) => decryptSecret(s, masterKey), poolWaitMs: env.ROUTER_POOL_WAIT_MS });
  const forwarder = createAdminForwarder(env.CONTROL_PLANE_URL, logger);
  let stopStats: (() => void) | undefined;
  let stopHealth: (() => void) | undefined;
  let stopTargets: (() => void) | undefined;
  let watcher: RoutingWatcher | undefined;
  const ledger = new LedgerPublisher({
    replica,
    logger,
    maxBuffer: env.ROUTER_USAGE_BUFFER,
    ...(onDropped ? { onDropped } : {}),
  });
  return {
    store,
    forwarder,
    ledger,
    servers: natsConnectOptions(env.NATS_URL).servers.join(","),
    start(usage) {
      watcher = new RoutingWatcher({
        natsUrl: env.NATS_URL,
        bucket,
        store,
        signer,
        logger,
        ...(env.ROUTER_TABLE_CACHE ? { cache: new TableCache(env.ROUTER_TABLE_CACHE) } : {}),
        onConnect: (nc) => {
          stopStats = reportStats(nc, bucket, usage, signer, logger, replica);
          const js = jetstream(nc);
          const subject = usageLedger.subject(bucket, replica);
          let ensured: Promise<void> | undefined;
          const ensure = () => {
            ensured ??= ensureUsageStream(nc, bucket).catch((err) => {
              ensured = undefined;
              throw err;
            });
            return ensured;
          };
          ledger.setSender(async (body, msgId) => {
            try {
              await ensure();
              await js.publish(subject, body, { msgID: msgId, timeout: 3_000 });
            } catch (err) {
              // A restarted server without its store lost the stream: create it again before the retry.
              ensured = undefined;
              throw err;
            }
          });
          // Active probes from the health worker (if one runs) take failing providers out of rotation.
          stopHealth = subscribeHealthFeed(nc, bucket, store, logger, signer);
          // Breakers and moving averages per target, for the console's health page.
          stopTargets = reportTargets(nc, bucket, store, replica, signer);
        },
      });
      watcher.start();
    },
    async close() {
      stopStats?.();
      stopHealth?.();
      stopTargets?.();
      await ledger.close();
      forwarder.close();
      await watcher?.close();
    },
  };
}
