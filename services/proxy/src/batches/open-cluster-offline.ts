import { parseMasterKey, routingBucketName } from "@ai-router/contracts";
import type { Logger } from "@ai-router/logger";
import { Redis } from "ioredis";
import pg from "pg";
import type { ProxyEnv } from "../env.js";
import { openFileStore } from "../files/open-file-store.js";
import { PgFileStore } from "../files/pg-file-store.js";
import { PgFtJobs } from "../fine-tuning/pg-ft-jobs.js";
import type { OfflineUsage } from "../record/offline-usage.js";
import { batchLineSecret } from "./batch-auth.js";
import { ClusterBatchQueue } from "./batch-queue.js";
import { batchPace } from "./live-pace.js";
import { type OfflineApis, offlineApis } from "./offline-apis.js";
import { PgBatchStore } from "./pg-batch-store.js";
import { PgMessageBatchLinks } from "./pg-message-batch-links.js";

export interface ClusterOffline {
  apis: OfflineApis;
  close(): Promise<void>;
}

/**
 * The Files, Batches and Fine-tuning APIs of a cluster replica: state in PostgreSQL (`DATABASE_URL`,
 * the control plane's database), files there too unless S3 is configured, batches handed to the health
 * worker's queue in Redis (`REDIS_URL`), batch lines signed with a secret derived from the master key.
 */
export async function openClusterOffline(
  env: ProxyEnv & { DATABASE_URL: string; REDIS_URL: string; ROUTER_MASTER_KEY: string },
  logger: Logger,
  usage?: OfflineUsage,
): Promise<ClusterOffline> {
  const pool = new pg.Pool({ connectionString: env.DATABASE_URL, max: 8 });
  pool.on("error", (err) => logger.warn({ err: err.message }, "offline APIs: postgres pool error"));
  const files = (await openFileStore(env)) ?? new PgFileStore(pool);
  const redis = new Redis(env.REDIS_URL, { maxRetriesPerRequest: 1, commandTimeout: 2_000 });
  redis.on("error", () => {}); // a failed hand-over is logged by the queue; the worker's poll re-queues
  const queue = new ClusterBatchQueue(redis, routingBucketName({ ROUTER_NATS_BUCKET: env.ROUTER_NATS_BUCKET }), logger);
  const apis = offlineApis({
    dir: env.ROUTER_DATA_DIR,
    logger,
    files,
    batches: new PgBatchStore(pool),
    jobs: new PgFtJobs(pool),
    messageBatches: new PgMessageBatchLinks(pool),
    pace: batchPace(env),
    ...(usage ? { usage } : {}),
    cluster: {
      queue,
      secret: batchLineSecret(parseMasterKey(env.ROUTER_MASTER_KEY)),
      modelsRefreshMs: env.ROUTER_FINE_TUNED_REFRESH_MS,
    },
  });
  return {
    apis,
    async close() {
      await apis.stop();
      await queue.close().catch(() => {});
      redis.disconnect();
      await pool.end().catch(() => {});
    },
  };
}
