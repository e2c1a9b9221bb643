import { pipeline } from "node:stream/promises";
import { FailureThrottle } from "@ai-router/contracts";
import { RouterError } from "@ai-router/errors";
import type { Logger } from "@ai-router/logger";
import { type BatchStore, batchObject, FINAL, nowS } from "../batches/batch-state.js";
import type { Endpoint } from "../endpoints/endpoint.js";
import type { FileStore } from "../files/file-store.js";
import type { RequestContext } from "../handlers/context.js";
import { requireAdmin } from "../handlers/operations/standalone-admin.js";
import { sendJson } from "../http/respond.js";
import { type FtJob, jobObject } from "./ft-jobs.js";
import { fineTuningApiFor } from "./ft-registry.js";

export interface OfflineAdminActionsOptions {
  files: FileStore;
  batches: BatchStore;
  /** What runs batches (the in-process runner, or a cluster's queue). */
  runner: { cancel(id: string): unknown };
  jobs: { all(): Promise<Map<string, FtJob>>; save(j: FtJob): Promise<void> };
  adminToken: () => string | undefined;
  logger?: Logger;
}

const notFound = (what: string, id: string) => new RouterError("not_found", `No such ${what}: ${id.slice(0, 80)}`, { publicCode: null });

/**
 * What the console does to any key's offline objects (standalone, `server.admin_token`): download and
 * delete a file, cancel a batch, cancel a fine-tuning job and read its events.
 */
export function offlineAdminActions(o: OfflineAdminActionsOptions): Endpoint[] {
  const guard = o.logger ? { throttle: new FailureThrottle(), logger: o.logger } : undefined;
  const admin = (ctx: RequestContext) => requireAdmin(ctx, o.adminToken(), guard);
  const send = (ctx: RequestContext, body: unknown) => sendJson(ctx.res, 200, JSON.stringify(body), { "x-request-id": ctx.id });
  const job = async (id: string) => {
    const j = (await o.jobs.all()).get(id);
    if (j === undefined) throw notFound("fine-tuning job", id);
    return j;
  };
  const apiOf = (ctx: RequestContext, provider: string) => {
    const live = ctx.table.providers.get(provider);
    const api = live && fineTuningApiFor(live);
    if (!api) throw new RouterError("no_available_provider", `The provider that runs this job (${provider}) is no longer configured.`);
    return api;
  };
  return [
    {
      method: "GET",
      path: "/v1/admin/files/*",
      auth: false,
      async handle(ctx, rest) {
        admin(ctx);
        if (!rest.endsWith("/content")) throw notFound("file", rest);
        const id = rest.slice(0, -"/content".length);
        const f = await o.files.meta(id);
        const body = f && (await o.files.read(id));
        if (f === undefined || body === undefined) throw notFound("file", id);
        ctx.res.writeHead(200, {
          "content-type": "application/octet-stream",
          "content-length": String(f.bytes),
          "content-disposition": `attachment; filename="${f.filename.replace(/[^\w.-]/g, "_")}"`,
          "x-request-id": ctx.id,
        });
        await pipeline(body, ctx.res).catch(() => ctx.res.destroy());
      },
    },
    {
      method: "DELETE",
      path: "/v1/admin/files/*",
      auth: false,
      async handle(ctx, id) {
        admin(ctx);
        if ((await o.files.meta(id)) === undefined) throw notFound("file", id);
        await o.files.remove(id);
        send(ctx, { id, object: "file", deleted: true });
      },
    },
    {
      method: "POST",
      path: "/v1/admin/batches/*",
      auth: false,
      async handle(ctx, rest) {
        admin(ctx);
        if (!rest.endsWith("/cancel")) throw notFound("batch", rest);
        const b = await o.batches.get(rest.slice(0, -"/cancel".length));
        if (b === undefined) throw notFound("batch", rest);
        if (FINAL.has(b.status) || b.status === "finalizing")
          throw new RouterError("conflict", `Cannot cancel a batch with status ${b.status}.`, { publicCode: null });
        await o.runner.cancel(b.id);
        if (b.status !== "cancelling") {
          b.status = "cancelling";
          b.cancelling_at = nowS();
          await o.batches.save(b);
        }
        send(ctx, Object.assign(batchObject(b), { owner: b.owner }));
      },
    },
    {
      method: "GET",
      path: "/v1/admin/fine_tuning/jobs/*",
      auth: false,
      async handle(ctx, rest) {
        admin(ctx);
        if (!rest.endsWith("/events")) throw notFound("fine-tuning job", rest);
        const j = await job(rest.slice(0, -"/events".length));
        const page = await apiOf(ctx, j.provider).events(j.upstream_id, { limit: 100 });
        send(ctx, {
          object: "list",
          data: page.data.map((e) => Object.assign({}, e, { fine_tuning_job_id: j.id })),
          has_more: page.has_more,
        });
      },
    },
    {
      method: "POST",
      path: "/v1/admin/fine_tuning/jobs/*",
      auth: false,
      async handle(ctx, rest) {
        admin(ctx);
        if (!rest.endsWith("/cancel")) throw notFound("fine-tuning job", rest);
        const j = await job(rest.slice(0, -"/cancel".length));
        const there = await apiOf(ctx, j.provider).cancel(j.upstream_id);
        j.last = there;
        if (typeof there.status === "string") j.status = there.status;
        await o.jobs.save(j);
        send(ctx, Object.assign(jobObject(j, there), { owner: j.owner }));
      },
    },
  ];
}
