import { hostname } from "node:os";
import { ensureUsageStream } from "@ai-router/cluster";
import { OfflineJob, offlineQueue, type RoutingTable, type Signer, usageLedger } from "@ai-router/contracts";
import type { Logger } from "@ai-router/logger";
import {
  KeyFollower,
  LedgerPublisher,
  OfflineWorker,
  type OfflineWorkerOptions,
  RUN_JOB_OPTIONS,
  SharedLimits,
} from "@ai-router/proxy/offline-worker";
import { jetstream } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { type Job, Queue, Worker } from "bullmq";
import type { Redis } from "ioredis";
import type pg from "pg";

export interface OfflineJobsOptions {
  redis: Redis;
  pool: pg.Pool;
  bucket: string;
  masterKey: Buffer;
  signer: Signer;
  logger: Logger;
  proxyUrl: string;
  /** Lines of one batch in flight. */
  concurrency: number;
  /** Batches run at once by this worker. */
  jobs: number;
  pollMs: number;
  lockMs: number;
  /** Files in S3 instead of the database (the proxies' `ROUTER_FILES_S3_*`). */
  filesEnv?: OfflineWorkerOptions["filesEnv"];
}

export interface OfflineJobs {
  onTable(table: RoutingTable, source: string): void;
  onConnect(nc: NatsConnection): void;
  close(): Promise<void>;
}

/**
 * Cluster mode's batch runner and pollers as BullMQ jobs (`offlineQueue`): a `batch-run` job per batch
 * (its id the batch id, so one run at a time cluster-wide) runs it through a proxy replica; one `poll`
 * job per interval for the whole cluster re-queues every unfinished batch (a lost hand-over, a batch at
 * a provider's batch API read once more) and reads the unfinished fine-tuning jobs. A worker killed mid-
 * batch stops renewing its lock: after `lockMs` another worker (or the same one restarted) takes the job
 * and resumes the batch from its stored results (each custom_id once: pg-batch-store.ts).
 */
export function startOfflineJobs(o: OfflineJobsOptions): OfflineJobs {
  const prefix = offlineQueue.prefix(o.bucket);
  // Native batch lines and fine-tuning jobs are charged through the same ledger stream as the proxies' requests.
  const replica = `worker-${hostname()
    .replace(/[^A-Za-z0-9._-]/g, "_")
    .slice(0, 40)}-${process.pid}`;
  const ledger = new LedgerPublisher({ replica, logger: o.logger });
  // The proxies' cluster-wide limits (the same Redis keys): a native batch's budget hold is given back here.
  const limits = new SharedLimits(o.redis, `ai-router:${o.bucket}:limits`, o.logger, () => 1);
  const w = new OfflineWorker({
    pool: o.pool,
    logger: o.logger,
    masterKey: o.masterKey,
    proxyUrl: o.proxyUrl,
    concurrency: o.concurrency,
    usage: { sink: ledger, replica },
    settle: (hold) => limits.settle(hold, 0, 0),
    ...(o.filesEnv ? { filesEnv: o.filesEnv } : {}),
  });
  const queue = new Queue<OfflineJob>(offlineQueue.name, { connection: o.redis, prefix });
  queue.on("error", (err) => o.logger.warn({ err: err.message }, "offline queue error"));
  let keys: KeyFollower | undefined;
  let closing = false;

  const poll = async () => {
    for (const id of await w.unfinished()) {
      if (closing) return;
      await queue.add(offlineQueue.runJob, { kind: "batch", batch: id }, Object.assign({ jobId: id }, RUN_JOB_OPTIONS));
    }
    await w.pollFineTuning();
    await w.pollMessageBatches();
  };
  const processor = async (job: Job<OfflineJob>) => {
    const data = OfflineJob.safeParse(job.data);
    if (!data.success) {
      o.logger.warn({ jobId: job.id, problem: data.error.issues[0]?.message }, "malformed offline job dropped");
      return;
    }
    if (data.data.kind === "poll") return poll();
    const final = await w.runBatch(data.data.batch);
    o.logger.info({ batch: data.data.batch, final }, final ? "batch finished" : "batch run paused");
  };
  const worker = new Worker<OfflineJob>(offlineQueue.name, processor, {
    connection: o.redis,
    prefix,
    concurrency: o.jobs + 1,
    lockDuration: o.lockMs,
    stalledInterval: o.lockMs,
    // A batch whose worker died is resumed however often that happens (its results are kept).
    maxStalledCount: 1_000_000,
  });
  worker.on("error", (err) => o.logger.warn({ err: err.message }, "offline worker error"));
  worker.on("failed", (job, err) => o.logger.warn({ jobId: job?.id, err: err.message }, "offline job failed"));

  // One poll per interval cluster-wide, and one now: a restarted worker resumes its batches at once.
  void queue
    .upsertJobScheduler(
      offlineQueue.pollScheduler,
      { every: o.pollMs },
      { name: offlineQueue.pollJob, data: { kind: "poll" }, opts: { removeOnComplete: true, removeOnFail: true } },
    )
    .then(() => queue.add(offlineQueue.pollJob, { kind: "poll" }, { removeOnComplete: true, removeOnFail: true }))
    .catch((err: Error) => o.logger.warn({ err: err.message }, "offline poll not scheduled"));

  return {
    onTable: (table, source) => void w.table.apply(table, source),
    onConnect(nc) {
      const subject = usageLedger.subject(o.bucket, replica);
      const js = jetstream(nc);
      let ensured: Promise<void> | undefined;
      ledger.setSender(async (body, msgId) => {
        ensured ??= ensureUsageStream(nc, o.bucket).catch((err) => {
          ensured = undefined;
          throw err;
        });
        await ensured;
        await js.publish(subject, o.signer.sign(body, subject), { msgID: msgId, timeout: 3_000 });
      }, nc.info?.max_payload);
      keys?.close();
      keys = new KeyFollower(nc, o.bucket, w.table.liveKeys, o.signer, o.logger, () => {});
      keys.start();
    },
    async close() {
      closing = true;
      await w.stop(); // lines in flight finish and are kept
      // Bounded: without Redis BullMQ would wait for a reconnection forever.
      const closed = Promise.all([worker.close(), queue.close()]).catch(() => {});
      await Promise.race([closed, new Promise((r) => setTimeout(r, 5_000).unref())]);
      keys?.close();
      await ledger.close();
    },
  };
}
