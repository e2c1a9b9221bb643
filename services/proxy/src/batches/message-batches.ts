import { Readable } from "node:stream";
import { RouterError } from "@ai-router/errors";
import { z } from "zod";
import type { Endpoint } from "../endpoints/endpoint.js";
import type { FileStore } from "../files/file-store.js";
import { newObjectId, ownerOf } from "../files/files-endpoints.js";
import type { RequestContext } from "../handlers/context.js";
import { sendAnthropicError } from "../handlers/model-api/messages-errors.js";
import { sendJson } from "../http/respond.js";
import type { OfflineUsage } from "../record/offline-usage.js";
import { type BatchState, type BatchStore, FINAL, newBatchState, nowS } from "./batch-state.js";
import type { MessageBatchLinks, NativeMessageBatch } from "./message-batch-native.js";
import { nativeMessageBatches, stillRunning } from "./message-batch-passthrough.js";
import { messageBatchResults } from "./message-batch-results.js";
import { MESSAGES_ENDPOINT, originOf, REQUESTS_KEY, toMessageBatch } from "./message-batch-shapes.js";

/** One request of `POST /v1/messages/batches`: Anthropic's custom_id rule, and Messages params naming a model. */
const MessageBatchRequest = z.object({
  custom_id: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/, "custom_id: 1-64 letters, digits, _ or -"),
  params: z
    .record(z.string(), z.unknown())
    .refine((p) => typeof p.model === "string" && p.model.length > 0 && p.model.length <= 256, "params.model is required"),
});

/** The body of `POST /v1/messages/batches` (at most 100,000 requests, custom_ids unique, as Anthropic's). */
export const CreateMessageBatch = z.object({
  requests: z
    .array(MessageBatchRequest)
    .min(1)
    .max(100_000)
    .superRefine((reqs, ctx) => {
      const seen = new Set<string>();
      reqs.forEach((r, i) => {
        if (seen.has(r.custom_id)) ctx.addIssue({ code: "custom", path: [i, "custom_id"], message: `duplicate custom_id ${r.custom_id}` });
        seen.add(r.custom_id);
      });
    }),
});
type CreateMessageBatch = z.infer<typeof CreateMessageBatch>;

export interface MessageBatchesOptions {
  files: FileStore;
  batches: BatchStore;
  /** What runs the router's batches (the in-process runner, or a cluster's queue). */
  runner: { enqueue(id: string): unknown; cancel(id: string): unknown };
  /** Where batches passed through to Anthropic are linked to their ids there. */
  natives: MessageBatchLinks;
  /** Where batches passed through are charged once they ended; none: not charged. */
  usage?: OfflineUsage;
  /** Told when a batch was passed through (standalone: its poll starts). */
  passed?: () => void;
}

const notFound = (id: string) =>
  new RouterError("not_found", `No such Message Batch: ${id.slice(0, 80)}`, { param: "message_batch_id", publicCode: null });
const send = (ctx: RequestContext, body: unknown) => sendJson(ctx.res, 200, JSON.stringify(body), { "x-request-id": ctx.id });

/**
 * Anthropic's Message Batches API on the batch machinery: passed through to Anthropic when every
 * request's model is served by one Anthropic provider (message-batch-passthrough.ts), otherwise run by
 * the router as a batch of `/v1/messages` lines (each through the Anthropic ingress, so any model
 * serves), answered in Anthropic's shapes. Every batch belongs to the key that created it.
 */
export function messageBatchesEndpoints(o: MessageBatchesOptions): Endpoint[] {
  const native = nativeMessageBatches(o.natives, o.usage, o.passed);
  /** The router's batch, the native link, or a 404 (another key's batch too). */
  const find = async (ctx: RequestContext, id: string): Promise<{ run: BatchState } | { link: NativeMessageBatch }> => {
    const link = await o.natives.get(id);
    if (link !== undefined && link.owner === ownerOf(ctx)) return { link };
    const b = await o.batches.get(id);
    if (b === undefined || b.owner !== ownerOf(ctx) || b.endpoint !== MESSAGES_ENDPOINT) throw notFound(id);
    return { run: b };
  };
  return [
    {
      auth: true,
      sendError: sendAnthropicError,
      method: "POST",
      path: "/v1/messages/batches",
      body: "json",
      schema: CreateMessageBatch,
      async handle(ctx) {
        const req = ctx.valid as CreateMessageBatch;
        const passed = await native.create(ctx, req.requests);
        if (passed !== undefined) return send(ctx, passed);
        const input = newObjectId("file-");
        const lines = req.requests.map(
          (r) => `${JSON.stringify({ custom_id: r.custom_id, method: "POST", url: MESSAGES_ENDPOINT, body: r.params })}\n`,
        );
        const bytes = await o.files.write(input, Readable.from(lines.map((l) => Buffer.from(l))));
        const now = nowS();
        await o.files.saveMeta({
          id: input,
          owner: ownerOf(ctx),
          bytes,
          created_at: now,
          filename: "message_batch_requests.jsonl",
          purpose: "batch",
        });
        // Parsed: fields this version does not name get their defaults.
        const b = newBatchState({
          id: newObjectId("msgbatch_"),
          owner: ownerOf(ctx),
          endpoint: MESSAGES_ENDPOINT,
          input_file_id: input,
          completion_window: "24h",
          total: req.requests.length,
          metadata: { [REQUESTS_KEY]: String(req.requests.length) },
          created_at: now,
          planned_output_id: newObjectId("file-"),
          planned_error_id: newObjectId("file-"),
        });
        await o.batches.save(b);
        o.runner.enqueue(b.id);
        send(ctx, toMessageBatch(b, originOf(ctx)));
      },
    },
    {
      auth: true,
      sendError: sendAnthropicError,
      method: "GET",
      path: "/v1/messages/batches",
      async handle(ctx) {
        const url = ctx.req.url ?? "";
        const q = new URLSearchParams(url.includes("?") ? url.slice(url.indexOf("?") + 1) : "");
        const limit = q.get("limit") === null ? 20 : Number(q.get("limit"));
        if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
          throw new RouterError("invalid_request", "`limit` must be an integer from 1 to 1000.", { param: "limit" });
        const after = q.get("after_id")?.slice(0, 128) || undefined;
        // The key's message batches, newest first: those the router runs and those passed through.
        const mine: { id: string; ms: number; get: () => Promise<unknown> }[] = [];
        for (const l of await o.natives.owned(ownerOf(ctx))) mine.push({ id: l.id, ms: l.created_ms, get: () => native.retrieve(ctx, l) });
        let cursor: string | undefined;
        for (let pages = 0; pages < 100; pages++) {
          const page = await o.batches.list(ownerOf(ctx), cursor, 100);
          for (const b of page.slice(0, 100))
            if (b.endpoint === MESSAGES_ENDPOINT)
              mine.push({ id: b.id, ms: b.created_ms ?? b.created_at * 1000, get: async () => toMessageBatch(b, originOf(ctx)) });
          if (page.length <= 100) break;
          cursor = page[99]?.id;
        }
        mine.sort((a, b) => b.ms - a.ms);
        const from = after === undefined ? 0 : mine.findIndex((m) => m.id === after) + 1;
        const slice = mine.slice(from, from + limit);
        // Batches passed through are read from Anthropic: a few at a time, never a burst per page.
        const data: unknown[] = [];
        for (let i = 0; i < slice.length; i += 8) data.push(...(await Promise.all(slice.slice(i, i + 8).map((m) => m.get()))));
        send(ctx, { data, has_more: mine.length > from + limit, first_id: slice[0]?.id ?? null, last_id: slice.at(-1)?.id ?? null });
      },
    },
    {
      auth: true,
      sendError: sendAnthropicError,
      method: "GET",
      path: "/v1/messages/batches/*",
      async handle(ctx, rest) {
        const [id = "", what, more] = rest.split("/");
        if (more !== undefined || (what !== undefined && what !== "results")) throw notFound(rest);
        const found = await find(ctx, id);
        if (what === "results") {
          if ("link" in found) return native.results(ctx, found.link);
          return messageBatchResults(ctx, o.files, found.run);
        }
        send(ctx, "link" in found ? await native.retrieve(ctx, found.link) : toMessageBatch(found.run, originOf(ctx)));
      },
    },
    {
      auth: true,
      sendError: sendAnthropicError,
      method: "POST",
      path: "/v1/messages/batches/*",
      async handle(ctx, rest) {
        if (!rest.endsWith("/cancel")) throw notFound(rest);
        const found = await find(ctx, rest.slice(0, -"/cancel".length));
        if ("link" in found) return send(ctx, await native.cancel(ctx, found.link));
        const b = found.run;
        if (!FINAL.has(b.status) && b.status !== "finalizing") {
          await o.runner.cancel(b.id);
          if (b.status !== "cancelling") {
            b.status = "cancelling";
            b.cancelling_at = nowS();
            await o.batches.save(b);
          }
        }
        // Anthropic answers a batch that already ended with the batch as it is.
        send(ctx, toMessageBatch(b, originOf(ctx)));
      },
    },
    {
      auth: true,
      sendError: sendAnthropicError,
      method: "DELETE",
      path: "/v1/messages/batches/*",
      async handle(ctx, id) {
        if (id.includes("/")) throw notFound(id);
        const found = await find(ctx, id);
        if ("link" in found) return send(ctx, await native.remove(ctx, found.link));
        const b = found.run;
        // Only an ended batch (Anthropic's `ended`): a canceling one is still processing.
        if (!FINAL.has(b.status)) throw stillRunning(b.id);
        await o.batches.remove(b.id);
        for (const f of [b.input_file_id, b.output_file_id, b.error_file_id]) if (f) await o.files.remove(f).catch(() => {});
        send(ctx, { id: b.id, type: "message_batch_deleted" });
      },
    },
  ];
}
