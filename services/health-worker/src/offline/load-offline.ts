import type { RoutingTable, Signer } from "@ai-router/contracts";
import type { Logger } from "@ai-router/logger";
import type { NatsConnection } from "@nats-io/transport-node";
import type { Redis } from "ioredis";
import type pg from "pg";
import type { HealthWorkerEnv } from "../env.js";
import type { OfflineJobs } from "./offline-jobs.js";

/** The environment the offline jobs read (the worker's `Env` includes it). */
export type OfflineEnv = Partial<
  Pick<
    HealthWorkerEnv,
    | "ROUTER_BATCH_CONCURRENCY"
    | "ROUTER_BATCH_JOBS"
    | "ROUTER_OFFLINE_POLL_MS"
    | "ROUTER_OFFLINE_LOCK_MS"
    | "ROUTER_FILES_S3_BUCKET"
    | "ROUTER_FILES_S3_ENDPOINT"
    | "ROUTER_FILES_S3_REGION"
    | "ROUTER_FILES_S3_PREFIX"
    | "ROUTER_FILES_S3_PATH_STYLE"
  >
> &
  Pick<HealthWorkerEnv, "bucket" | "masterKey">;

/**
 * Starts the batch runner and pollers (offline-jobs.ts) once their modules are loaded: only workers
 * that run batches load the proxy's code (about 25 MB and 0.7 s). The table and the NATS connection
 * seen meanwhile are handed over when it starts.
 */
export function loadOfflineJobs(
  env: OfflineEnv,
  proxyUrl: string,
  deps: { redis: Redis; pool: pg.Pool; signer: Signer; logger: Logger },
): OfflineJobs {
  let jobs: OfflineJobs | undefined;
  let lastTable: [RoutingTable, string] | undefined;
  let lastNats: NatsConnection | undefined;
  const started = import("./offline-jobs.js").then(({ startOfflineJobs }) => {
    jobs = startOfflineJobs({
      ...deps,
      bucket: env.bucket,
      masterKey: env.masterKey,
      proxyUrl,
      concurrency: env.ROUTER_BATCH_CONCURRENCY ?? 8,
      jobs: env.ROUTER_BATCH_JOBS ?? 4,
      pollMs: env.ROUTER_OFFLINE_POLL_MS ?? 30_000,
      lockMs: env.ROUTER_OFFLINE_LOCK_MS ?? 30_000,
      ...(env.ROUTER_FILES_S3_BUCKET
        ? {
            filesEnv: {
              ROUTER_FILES_S3_BUCKET: env.ROUTER_FILES_S3_BUCKET,
              ROUTER_FILES_S3_ENDPOINT: env.ROUTER_FILES_S3_ENDPOINT,
              ROUTER_FILES_S3_REGION: env.ROUTER_FILES_S3_REGION ?? "us-east-1",
              ROUTER_FILES_S3_PREFIX: env.ROUTER_FILES_S3_PREFIX ?? "",
              ROUTER_FILES_S3_PATH_STYLE: env.ROUTER_FILES_S3_PATH_STYLE === true,
            },
          }
        : {}),
    });
    if (lastTable) jobs.onTable(...lastTable);
    if (lastNats) jobs.onConnect(lastNats);
  });
  started.catch((err: Error) => deps.logger.error({ err: err.message }, "batch runner did not start"));
  return {
    onTable(table, source) {
      lastTable = [table, source];
      jobs?.onTable(table, source);
    },
    onConnect(nc) {
      lastNats = nc;
      jobs?.onConnect(nc);
    },
    async close() {
      await started.catch(() => {});
      await jobs?.close();
    },
  };
}
