import { recordText } from "@ai-router/contracts";
import { RouterError } from "@ai-router/errors";
import { z } from "zod";
import type { Endpoint } from "../endpoints/endpoint.js";
import type { FileStore } from "../files/file-store.js";
import { listPage, listQuery, newObjectId, ownedFile, ownerOf } from "../files/files-endpoints.js";
import { BATCH_ENDPOINTS } from "../files/jsonl-check.js";
import type { RequestContext } from "../handlers/context.js";
import { sendJson } from "../http/respond.js";
import type { BatchQueue } from "./batch-queue.js";
import { type BatchState, type BatchStore, batchObject, FINAL, newBatchState, nowS } from "./batch-state.js";
import { holdBudget } from "./native-estimate.js";

/** The body of `POST /v1/batches`. */
export const CreateBatch = z.object({
  input_file_id: z.string().min(1).max(128),
  endpoint: z.enum(BATCH_ENDPOINTS),
  completion_window: z.literal("24h"),
  metadata: z
    .record(z.string().max(64), z.string().max(512))
    .refine((m) => Object.keys(m).length <= 16, "at most 16 keys")
    // Kept and echoed back, stored in PostgreSQL in a cluster: no NUL, control characters or lone surrogates.
    .transform((m) => Object.fromEntries(Object.entries(m).map(([k, v]) => [recordText(k, 64), recordText(v, 512)])))
    .nullable()
    .optional(),
});

export interface BatchesOptions {
  files: FileStore;
  batches: BatchStore;
  /** Runs what is created or cancelled: the in-process runner, or the health worker's queue in a cluster. */
  runner: BatchQueue;
}

const notFound = (id: string) =>
  new RouterError("not_found", `No such Batch object: ${id.slice(0, 80)}`, { param: "batch_id", publicCode: null });

async function ownedBatch(store: BatchStore, ctx: RequestContext, id: string): Promise<BatchState> {
  const b = await store.get(id);
  if (b === undefined || b.owner !== ownerOf(ctx)) throw notFound(id);
  return b;
}

const send = (ctx: RequestContext, body: unknown) => sendJson(ctx.res, 200, JSON.stringify(body), { "x-request-id": ctx.id });

/**
 * OpenAI's Batches API: create (from a `batch` file the key owns), retrieve, cancel, list. The router
 * runs the lines itself (batch-runner.ts); every batch belongs to the key that created it.
 */
export function batchesEndpoints(o: BatchesOptions): Endpoint[] {
  return [
    {
      method: "POST",
      path: "/v1/batches",
      auth: true,
      body: "json",
      schema: CreateBatch,
      async handle(ctx) {
        const req = ctx.valid as z.infer<typeof CreateBatch>;
        const input = await ownedFile(o.files, ctx, req.input_file_id).catch(() => {
          throw new RouterError("invalid_request", `No such File object: ${req.input_file_id.slice(0, 80)}`, { param: "input_file_id" });
        });
        if (input.purpose !== "batch") {
          throw new RouterError("invalid_request", "The input file's purpose must be `batch`.", { param: "input_file_id" });
        }
        const now = nowS();
        const b = newBatchState({
          id: newObjectId("batch_"),
          owner: ownerOf(ctx),
          endpoint: req.endpoint,
          input_file_id: input.id,
          completion_window: req.completion_window,
          total: 0,
          metadata: req.metadata ?? null,
          created_at: now,
          planned_output_id: newObjectId("file-"),
          planned_error_id: newObjectId("file-"),
        });
        // A batch bound for a provider's batch API is checked against the key's budget now, its estimate held.
        const hold = await holdBudget(ctx, o.files, b);
        if (typeof hold === "number") {
          const limiter = ctx.limiter;
          o.runner.hold?.(b.id, () => limiter?.release(hold));
        } else if (hold !== undefined) b.budget_hold = hold;
        await o.batches.save(b);
        o.runner.enqueue(b.id);
        send(ctx, batchObject(b));
      },
    },
    {
      method: "GET",
      path: "/v1/batches",
      auth: true,
      async handle(ctx) {
        const q = listQuery(ctx, 100, 20);
        const page = await o.batches.list(ownerOf(ctx), q.after, q.limit);
        send(ctx, listPage(page.map(batchObject), q.limit));
      },
    },
    {
      method: "GET",
      path: "/v1/batches/*",
      auth: true,
      async handle(ctx, id) {
        send(ctx, batchObject(await ownedBatch(o.batches, ctx, id)));
      },
    },
    {
      method: "POST",
      path: "/v1/batches/*",
      auth: true,
      async handle(ctx, rest) {
        if (!rest.endsWith("/cancel")) throw notFound(rest);
        const b = await ownedBatch(o.batches, ctx, rest.slice(0, -"/cancel".length));
        if (FINAL.has(b.status) || b.status === "finalizing") {
          throw new RouterError("conflict", `Cannot cancel a batch with status ${b.status}.`, { publicCode: null });
        }
        // The runner first (it stops saving progress), then the state: no progress save can undo the cancel.
        o.runner.cancel(b.id);
        if (b.status !== "cancelling") {
          b.status = "cancelling";
          b.cancelling_at = nowS();
          await o.batches.save(b);
        }
        send(ctx, batchObject(b));
      },
    },
  ];
}
