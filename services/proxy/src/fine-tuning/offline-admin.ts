import { FailureThrottle } from "@ai-router/contracts";
import { RouterError } from "@ai-router/errors";
import type { Logger } from "@ai-router/logger";
import { z } from "zod";
import type { BatchStore } from "../batches/batch-state.js";
import { batchObject } from "../batches/batch-state.js";
import type { Endpoint } from "../endpoints/endpoint.js";
import type { FileStore } from "../files/file-store.js";
import { fileObject } from "../files/file-store.js";
import { listPage, listQuery } from "../files/files-endpoints.js";
import type { RequestContext } from "../handlers/context.js";
import { requireAdmin } from "../handlers/operations/standalone-admin.js";
import { sendJson } from "../http/respond.js";
import { type FtJobStore, jobObject } from "./ft-jobs.js";
import type { PrivateModels } from "./private-models.js";

export interface OfflineAdminOptions {
  files: FileStore;
  batches: BatchStore;
  jobs: FtJobStore;
  models: PrivateModels;
  /** `server.admin_token` as the config says now (unset: admin endpoints refused). */
  adminToken: () => string | undefined;
  logger?: Logger;
}

const Share = z.object({ keys: z.array(z.string().min(1).max(128)).max(1000) });

/**
 * The admin's view of the offline APIs (standalone, `Authorization: Bearer <server.admin_token>`): every
 * key's files, batches and fine-tuning jobs (with `owner`), and sharing a fine-tuned model with other
 * client keys (by name), which makes it routable and listed for them too.
 */
export function offlineAdminEndpoints(o: OfflineAdminOptions): Endpoint[] {
  const guard = o.logger ? { throttle: new FailureThrottle(), logger: o.logger } : undefined;
  const admin = (ctx: RequestContext) => requireAdmin(ctx, o.adminToken(), guard);
  const send = (ctx: RequestContext, body: unknown) => sendJson(ctx.res, 200, JSON.stringify(body), { "x-request-id": ctx.id });
  return [
    {
      method: "GET",
      path: "/v1/admin/files",
      auth: false,
      async handle(ctx) {
        admin(ctx);
        const q = listQuery(ctx);
        const page = await o.files.list({ owner: undefined, ...q });
        send(
          ctx,
          listPage(
            page.map((f) => Object.assign(fileObject(f), { owner: f.owner })),
            q.limit,
          ),
        );
      },
    },
    {
      method: "GET",
      path: "/v1/admin/batches",
      auth: false,
      async handle(ctx) {
        admin(ctx);
        const q = listQuery(ctx, 100, 20);
        const page = await o.batches.list(undefined, q.after, q.limit);
        send(
          ctx,
          listPage(
            page.map((b) => Object.assign(batchObject(b), { owner: b.owner })),
            q.limit,
          ),
        );
      },
    },
    {
      method: "GET",
      path: "/v1/admin/fine_tuning/jobs",
      auth: false,
      async handle(ctx) {
        admin(ctx);
        const all = [...(await o.jobs.all()).values()].sort((a, b) => b.created_ms - a.created_ms);
        const names = new Map<string, string>();
        for (const k of ctx.table.clientKeys.values()) names.set(k.id ?? k.name, k.name);
        send(ctx, {
          object: "list",
          data: all.map((j) =>
            Object.assign(jobObject(j, j.last), {
              owner: j.owner,
              shared_with: j.shared_with,
              shared_with_names: j.shared_with.map((id) => names.get(id) ?? id),
            }),
          ),
        });
      },
    },
    {
      method: "PUT",
      path: "/v1/admin/fine_tuning/models/*",
      auth: false,
      body: "json",
      schema: Share,
      async handle(ctx, rest) {
        admin(ctx);
        if (!rest.endsWith("/shared_with")) throw new RouterError("not_found", "Use PUT /v1/admin/fine_tuning/models/{model}/shared_with.");
        const name = rest.slice(0, -"/shared_with".length);
        const j = [...(await o.jobs.all()).values()].find((x) => x.fine_tuned_model === name && x.status === "succeeded");
        if (j === undefined)
          throw new RouterError("not_found", `No succeeded fine-tuning job made ${name.slice(0, 120)}.`, { publicCode: "model_not_found" });
        // Keys are named as the table names them: ids in a cluster, names standalone.
        const ids = new Map<string, string>();
        for (const k of ctx.table.clientKeys.values()) ids.set(k.name, k.id ?? k.name);
        const unknown = (ctx.valid as z.infer<typeof Share>).keys.filter((k) => !ids.has(k));
        if (unknown.length > 0)
          throw new RouterError("invalid_request", `Unknown client keys: ${unknown.slice(0, 5).join(", ").slice(0, 200)}.`, {
            param: "keys",
          });
        j.shared_with = (ctx.valid as z.infer<typeof Share>).keys.map((k) => ids.get(k) as string);
        await o.jobs.save(j);
        o.models.add({ name, owner: j.owner, sharedWith: j.shared_with, base: j.model, provider: j.provider });
        send(ctx, { model: name, owner: j.owner, shared_with: j.shared_with });
      },
    },
  ];
}
