import { z } from "zod";

/**
 * The offline APIs in cluster mode (issue 22): the health worker runs batches and polls the providers'
 * batch and fine-tuning jobs as BullMQ jobs on one queue per routing bucket. Only ids travel through
 * Redis: the state, files and results live in PostgreSQL.
 */
export const offlineQueue = {
  /** Queue name (BullMQ forbids `:` in it). */
  name: "offline",
  /** Redis key prefix of the queue (the health queue's: everything of a bucket under `ai-router:{bucket}:`). */
  prefix: (bucket: string) => `ai-router:${bucket}:bull`,
  /** Job name of a batch run (its job id is the batch id: one job per batch at a time). */
  runJob: "batch-run",
  /** Job name of the repeating poll of native batches and fine-tuning jobs. */
  pollJob: "poll",
  /** Job scheduler id of the poll (one for the whole cluster). */
  pollScheduler: "offline-poll",
} as const;

/** A job's payload; unknown fields are ignored (dropped), so a newer release's jobs are still read. */
export const OfflineJob = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("batch"), batch: z.string().min(1).max(128) }),
  z.object({ kind: z.literal("poll") }),
]);
export type OfflineJob = z.infer<typeof OfflineJob>;

/** The context the batch lines' signing secret is derived under from `ROUTER_MASTER_KEY` (every replica and worker agree). */
export const BATCH_LINE_SECRET_CONTEXT = "ai-router batch lines v1";
