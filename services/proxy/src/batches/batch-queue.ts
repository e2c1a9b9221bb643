import { OfflineJob, offlineQueue } from "@ai-router/contracts";
import type { Logger } from "@ai-router/logger";
import { Queue } from "bullmq";
import type { Redis } from "ioredis";

/** Where a created or cancelled batch is handed to be run (the in-process runner, or the health worker's queue). */
export interface BatchQueue {
  enqueue(id: string): void;
  cancel(id: string): void;
  /** Gives `release` back when the batch ends (a budget held in this process); absent: the hold is in the batch's state. */
  hold?(id: string, release: () => void): void;
}

/** BullMQ job options of a batch run: one job per batch (its id), nothing kept once done (a later run may reuse the id). */
export const RUN_JOB_OPTIONS = { removeOnComplete: true, removeOnFail: true, attempts: 1 } as const;

/**
 * Cluster mode: batches are run by the health worker, handed over as BullMQ jobs (`offlineQueue`). A
 * job carries only the batch id (its state is in PostgreSQL); a failed hand-over is not lost: the
 * worker's poll re-queues every unfinished batch.
 */
export class ClusterBatchQueue implements BatchQueue {
  private readonly queue: Queue<OfflineJob>;

  constructor(
    redis: Redis,
    bucket: string,
    private readonly logger: Logger,
  ) {
    this.queue = new Queue<OfflineJob>(offlineQueue.name, { connection: redis, prefix: offlineQueue.prefix(bucket) });
    this.queue.on("error", (err) => logger.warn({ err: err.message }, "offline queue error"));
  }

  enqueue(id: string): void {
    const job = OfflineJob.parse({ kind: "batch", batch: id });
    this.queue
      .add(offlineQueue.runJob, job, Object.assign({ jobId: id }, RUN_JOB_OPTIONS))
      .catch((err: Error) => this.logger.warn({ err: err.message, batch: id }, "batch not queued; the worker's poll picks it up"));
  }

  /** The worker reads the cancel from the store; a batch not running yet is queued so it finalizes now. */
  cancel(id: string): void {
    this.enqueue(id);
  }

  close(): Promise<void> {
    return this.queue.close();
  }
}
