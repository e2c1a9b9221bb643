import { z } from "zod";

export const BATCH_STATUSES = [
  "validating",
  "failed",
  "in_progress",
  "finalizing",
  "completed",
  "expired",
  "cancelling",
  "cancelled",
] as const;
export type BatchStatus = (typeof BATCH_STATUSES)[number];

/** A batch as the router keeps it (a folder standalone); read tolerantly, unknown fields ignored. */
export const BatchState = z.object({
  id: z.string(),
  owner: z.string(),
  endpoint: z.string(),
  input_file_id: z.string(),
  completion_window: z.string(),
  status: z.enum(BATCH_STATUSES),
  /** Ids the output and error files get when the batch finalizes (fixed at creation: a rerun overwrites). */
  planned_output_id: z.string(),
  planned_error_id: z.string(),
  output_file_id: z.string().nullable().default(null),
  error_file_id: z.string().nullable().default(null),
  created_at: z.number().int(),
  /** Creation time in ms, for a stable order within one second. */
  created_ms: z.number().optional(),
  in_progress_at: z.number().int().nullable().default(null),
  expires_at: z.number().int(),
  finalizing_at: z.number().int().nullable().default(null),
  completed_at: z.number().int().nullable().default(null),
  failed_at: z.number().int().nullable().default(null),
  expired_at: z.number().int().nullable().default(null),
  cancelling_at: z.number().int().nullable().default(null),
  cancelled_at: z.number().int().nullable().default(null),
  request_counts: z.object({ total: z.number().int(), completed: z.number().int(), failed: z.number().int() }),
  metadata: z.record(z.string(), z.string()).nullable().default(null),
  /** Submitted to the provider's own batch API: where, and its batch id there. */
  native: z.object({ provider: z.string(), upstream_id: z.string() }).nullable().default(null),
  errors: z
    .object({ object: z.literal("list"), data: z.array(z.object({ code: z.string(), message: z.string(), line: z.number().nullable() })) })
    .nullable()
    .default(null),
  /** Cluster mode: the key's budget held in Redis for a batch at a provider's batch API, given back when it ends. */
  budget_hold: z.object({ tpmKey: z.string(), spendKey: z.string(), reservedUsd: z.number() }).nullable().default(null),
});
export type BatchState = z.infer<typeof BatchState>;

/** A batch just created (`validating`, nothing run yet): what either API's create sets, the rest at its defaults. */
export function newBatchState(o: {
  id: string;
  owner: string;
  endpoint: string;
  input_file_id: string;
  completion_window: string;
  total: number;
  metadata: Record<string, string> | null;
  created_at: number;
  planned_output_id: string;
  planned_error_id: string;
}): BatchState {
  const { total, ...fields } = o;
  return BatchState.parse(
    Object.assign(fields, {
      status: "validating",
      created_ms: Date.now(),
      expires_at: o.created_at + 86_400,
      request_counts: { total, completed: 0, failed: 0 },
    }),
  );
}

/** Statuses a batch never leaves. */
export const FINAL: ReadonlySet<BatchStatus> = new Set(["failed", "completed", "expired", "cancelled"]);

/** OpenAI's batch object. */
export function batchObject(b: BatchState) {
  return {
    id: b.id,
    object: "batch" as const,
    endpoint: b.endpoint,
    errors: b.errors,
    input_file_id: b.input_file_id,
    completion_window: b.completion_window,
    status: b.status,
    output_file_id: b.output_file_id,
    error_file_id: b.error_file_id,
    created_at: b.created_at,
    in_progress_at: b.in_progress_at,
    expires_at: b.expires_at,
    finalizing_at: b.finalizing_at,
    completed_at: b.completed_at,
    failed_at: b.failed_at,
    expired_at: b.expired_at,
    cancelling_at: b.cancelling_at,
    cancelled_at: b.cancelled_at,
    request_counts: b.request_counts,
    metadata: b.metadata,
  };
}

/** Where batches are kept between restarts. */
export interface BatchStore {
  save(b: BatchState): Promise<void>;
  get(id: string): Promise<BatchState | undefined>;
  /** Newest first; one more than `limit` tells `has_more`. */
  list(owner: string | undefined, after: string | undefined, limit: number): Promise<BatchState[]>;
  /** Batches not yet final (resumed at start). */
  unfinished(): Promise<BatchState[]>;
  /** Appends one finished line (a JSON text, no newline) to the batch's results. */
  appendResult(id: string, line: string): Promise<void>;
  /** Drops a final batch's results (its output and error files hold them now). */
  dropResults(id: string): Promise<void>;
  /** The batch's results so far, one JSON text each (a torn last line from a crash is dropped). */
  results(id: string): AsyncIterable<string>;
  /** Forgets an ended batch and its results (Message Batches' `DELETE`; its files are removed apart). */
  remove(id: string): Promise<void>;
}

export const nowS = () => Math.floor(Date.now() / 1000);
