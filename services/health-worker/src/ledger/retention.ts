import { healthQueue, usageLedger } from "@ai-router/contracts";
import type { Logger } from "@ai-router/logger";
import { Queue, Worker } from "bullmq";
import type { Redis } from "ioredis";
import type pg from "pg";
import { deleteDeadLettersOlderThan } from "./dead-letter.js";
import { deleteOlderThan } from "./insert-records.js";

const DAY_MS = 86_400_000;

/**
 * Ledger retention: one BullMQ job scheduler (shared by every worker replica, so one run a day in the
 * cluster) deletes rows older than `days`, in batches.
 */
export function startRetention(opts: { redis: Redis; pool: pg.Pool; bucket: string; days: number; logger: Logger; everyMs?: number }) {
  const { redis, pool, bucket, days, logger } = opts;
  const prefix = healthQueue.prefix(bucket);
  const queue = new Queue(usageLedger.retentionQueue, { connection: redis, prefix });
  queue.on("error", (err) => logger.warn({ err: err.message }, "retention queue error"));
  void queue
    .upsertJobScheduler("usage-retention", { every: opts.everyMs ?? DAY_MS }, { name: "delete-old-usage", data: {} })
    .catch((err) => logger.warn({ err: (err as Error).message }, "cannot schedule usage retention"));
  const worker = new Worker(
    usageLedger.retentionQueue,
    async () => {
      const cutoff = new Date(Date.now() - days * DAY_MS);
      const deleted = await deleteOlderThan(pool, cutoff);
      const deadLetters = await deleteDeadLettersOlderThan(pool, cutoff);
      logger.info({ deleted, deadLetters, cutoff: cutoff.toISOString(), days }, "usage retention ran");
      return { deleted, deadLetters };
    },
    { connection: redis, prefix, concurrency: 1 },
  );
  worker.on("error", (err) => logger.warn({ err: err.message }, "retention worker error"));
  return {
    async close() {
      await worker.close().catch(() => {});
      await queue.close().catch(() => {});
    },
  };
}
