import { ensureUsageStream, natsConnectOptions } from "@ai-router/cluster";
import { createSigner, decryptSecret, parseMasterKey, routingBucketName, usageLedger } from "@ai-router/contracts";
import type { Logger } from "@ai-router/logger";
import { jetstream } from "@nats-io/jetstream";
import { Redis } from "ioredis";
import type { ProxyEnv } from "../env.js";
import { SharedLimits } from "../limits/shared-limits.js";
import { LedgerPublisher } from "../record/ledger-publisher.js";
import { ResponseCaches } from "../response-cache/model-caches.js";
import { TableStore } from "../routing/table-store.js";
import { type AdminForwarder, createAdminForwarder } from "./admin-forward.js";
import { subscribeHealthFeed } from "./health-feed.js";
import { KeyFollower } from "./key-follower.js";
import { ReplicaCount } from "./replica-count.js";
import { RoutingWatcher } from "./routing-watcher.js";
import { reportStats, type StatsReporting } from "./stats-reporter.js";
import { TableCache } from "./table-cache.js";
import { reportTargets } from "./targets-reporter.js";

export interface ClusterWiring {
  store: TableStore;
  forwarder: AdminForwarder;
  /** Usage records -> the ledger stream (a sink for the proxy). */
  ledger: LedgerPublisher;
  /** The NATS servers, without credentials (for log lines). */
  servers: string;
  /** Client-key limits counted in Redis (REDIS_URL set); undefined: each replica counts its own. */
  sharedLimits: SharedLimits | undefined;
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
  const redis = env.REDIS_URL
    ? new Redis(env.REDIS_URL, {
        // Fail fast while Redis is away (limits fall back to limit / replicas, the response cache misses), reconnect in the background.
        enableOfflineQueue: false,
        maxRetriesPerRequest: 0,
        commandTimeout: 500,
        retryStrategy: (n) => Math.min(n * 100, 1_000),
        lazyConnect: false,
      })
    : undefined;
  // Response caches in Redis (every replica answers what any replica stored), else in each replica's memory.
  const responseCaches = new ResponseCaches(redis ? { redis, prefix: `ai-router:${bucket}:cache:`, logger } : { logger });
  const store = new TableStore(logger, {
    decrypt: (s) => decryptSecret(s, masterKey),
    poolWaitMs: env.ROUTER_POOL_WAIT_MS,
    responseCaches,
  });
  const forwarder = createAdminForwarder(env.CONTROL_PLANE_URL, logger);
  let stats: StatsReporting | undefined;
  let stopHealth: (() => void) | undefined;
  let stopTargets: (() => void) | undefined;
  let watcher: RoutingWatcher | undefined;
  const ledger = new LedgerPublisher({
    replica,
    logger,
    maxBuffer: env.ROUTER_USAGE_BUFFER,
    ...(onDropped ? { onDropped } : {}),
  });
  const replicas = new ReplicaCount(replica);
  let keys: KeyFollower | undefined;
  let sharedLimits: SharedLimits | undefined;
  if (redis) {
    redis.on("error", () => {}); // reported once per outage by SharedLimits
    sharedLimits = new SharedLimits(redis, `ai-router:${bucket}:limits`, logger, () => replicas.count());
  } else logger.warn("REDIS_URL is not set: client-key rpm/tpm limits are counted per replica");
  return {
    store,
    forwarder,
    ledger,
    sharedLimits,
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
          // Followed before this replica's first report, so the replies of the others to it are heard.
          replicas.follow(nc, bucket, signer, () => stats?.soon());
          stats?.stop();
          stats = reportStats(nc, bucket, usage, signer, logger, replica);
          const js = jetstream(nc);
          const subject = usageLedger.subject(bucket, replica);
          // While disconnected nothing is sent: the client would buffer every retry and flush them all
          // on reconnect, ahead of the routing table's resync. Records wait in the publisher instead.
          let up = true;
          void (async () => {
            for await (const st of nc.status()) {
              if (st.type === "disconnect") up = false;
              else if (st.type === "reconnect") {
                up = true;
                void ledger.pump(); // what waited goes now, not at the end of the backoff
              }
            }
          })().catch(() => {});
          let ensured: Promise<void> | undefined;
          const ensure = () => {
            ensured ??= ensureUsageStream(nc, bucket).catch((err) => {
              ensured = undefined;
              throw err;
            });
            return ensured;
          };
          // Batches are signed like tables (the subject as context): the writer stores no unsigned one.
          // Each stays under the server's max payload (its INFO), signature and headers included.
          ledger.setSender(async (body, msgId) => {
            if (!up) throw new Error("NATS is disconnected");
            try {
              await ensure();
              await js.publish(subject, signer.sign(body, subject), { msgID: msgId, timeout: 3_000 });
            } catch (err) {
              // A restarted server without its store lost the stream: create it again before the retry.
              ensured = undefined;
              throw err;
            }
          }, nc.info?.max_payload);
          // Client keys arrive one entry each from their own bucket (tables that say `keysBucket`).
          keys = new KeyFollower(nc, bucket, store.liveKeys, signer, logger, (k) => usage.keyLimits.applyTable([k], Date.now()));
          keys.start();
          // Active probes from the health worker (if one runs) take failing providers out of rotation.
          stopHealth = subscribeHealthFeed(nc, bucket, store, logger, signer);
          // Breakers and moving averages per target, for the console's health page.
          stopTargets = reportTargets(nc, bucket, store, replica, signer, logger);
        },
      });
      watcher.start();
    },
    async close() {
      stats?.stop();
      replicas.close();
      keys?.close();
      sharedLimits?.close();
      stopHealth?.();
      stopTargets?.();
      await ledger.close();
      forwarder.close();
      await watcher?.close();
    },
  };
}
