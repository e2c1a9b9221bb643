import { RouterError } from "@ai-router/errors";
import { z } from "zod";
import type { Endpoint } from "../endpoints/endpoint.js";
import type { FileStore } from "../files/file-store.js";
import { listPage, listQuery, newObjectId, ownedFile, ownerOf } from "../files/files-endpoints.js";
import type { RequestContext } from "../handlers/context.js";
import { findModel } from "../handlers/model-api/models.js";
import { sendJson } from "../http/respond.js";
import { chargeFineTuning, type OfflineUsage } from "../record/offline-usage.js";
import type { FtCreate } from "./ft-api.js";
import { FT_FINAL, type FtJob, type FtJobStore, jobObject } from "./ft-jobs.js";
import { FINE_TUNING_TYPES, fineTuningApiFor } from "./ft-registry.js";
import type { PrivateModels } from "./private-models.js";

/** The body of `POST /v1/fine_tuning/jobs` (fields passed on to the provider as they are, bounded). */
export const CreateFineTune = z.object({
  model: z.string().min(1).max(256),
  training_file: z.string().min(1).max(128),
  validation_file: z.string().min(1).max(128).nullable().optional(),
  hyperparameters: z.record(z.string(), z.union([z.string().max(64), z.number()])).optional(),
  method: z.record(z.string(), z.unknown()).optional(),
  suffix: z.string().max(64).nullable().optional(),
  seed: z.number().int().nullable().optional(),
  metadata: z.record(z.string().max(64), z.string().max(512)).nullable().optional(),
});

export interface FineTuningOptions {
  files: FileStore;
  jobs: FtJobStore;
  models: PrivateModels;
  /** Where a succeeded job's trained tokens are charged (a usage record); none: not charged. */
  usage?: OfflineUsage;
}

const notFound = (id: string) =>
  new RouterError("not_found", `No such fine-tuning job: ${id.slice(0, 80)}`, { param: "fine_tuning_job_id", publicCode: null });
const send = (ctx: RequestContext, body: unknown) => sendJson(ctx.res, 200, JSON.stringify(body), { "x-request-id": ctx.id });

/**
 * OpenAI's fine-tuning API over the providers that have one: the job runs at the provider serving the
 * model (the training and validation files copied there first), owned by the client key; a job that
 * succeeded makes its `fine_tuned_model` routable at once for that key (private-models.ts).
 */
export function fineTuningEndpoints(o: FineTuningOptions): Endpoint[] {
  const upstreamOf = (ctx: RequestContext, j: FtJob) => {
    const live = ctx.table.providers.get(j.provider);
    const api = live && fineTuningApiFor(live);
    if (!api) throw new RouterError("no_available_provider", `The provider that runs this job (${j.provider}) is no longer configured.`);
    return api;
  };
  const owned = async (ctx: RequestContext, id: string) => {
    const j = await o.jobs.get(id);
    if (j === undefined || j.owner !== ownerOf(ctx)) throw notFound(id);
    return j;
  };
  /** Saves what the provider said; a success makes the fine-tuned model routable. */
  const note = async (ctx: RequestContext, j: FtJob, upstream: Record<string, unknown>) => {
    const was = j.status;
    j.last = upstream;
    if (typeof upstream.status === "string") j.status = upstream.status;
    if (typeof upstream.fine_tuned_model === "string" && upstream.fine_tuned_model) j.fine_tuned_model = upstream.fine_tuned_model;
    // A read that finds the job ended keeps its last events (the console's events dialog reads the stored
    // ones; in a cluster the worker's poll stops at a final job, so its last poll may predate the end).
    if (FT_FINAL.has(j.status) && !FT_FINAL.has(was)) {
      const events = await upstreamOf(ctx, j)
        .events(j.upstream_id, { limit: 100 })
        .catch(() => undefined);
      if (events !== undefined) j.events = events.data.slice(0, 100);
    }
    await o.jobs.save(j);
    // Charged once per job: the record's id is the job's, so a success seen twice is stored once.
    if (j.status === "succeeded" && was !== "succeeded" && o.usage) chargeFineTuning(j, ctx.table, o.usage, ctx.key?.name);
    if (j.status === "succeeded" && j.fine_tuned_model) {
      o.models.add({ name: j.fine_tuned_model, owner: j.owner, sharedWith: j.shared_with, base: j.model, provider: j.provider });
    }
    return jobObject(j, upstream);
  };
  return [
    {
      method: "POST",
      path: "/v1/fine_tuning/jobs",
      auth: true,
      body: "json",
      schema: CreateFineTune,
      async handle(ctx) {
        const req = ctx.valid as z.infer<typeof CreateFineTune>;
        const model = findModel(ctx, req.model);
        const target = model.targets.find((t) => FINE_TUNING_TYPES.has(t.live.config.type));
        if (target === undefined) {
          throw new RouterError("invalid_request", `This model's provider offers no fine-tuning (${req.model}).`, { param: "model" });
        }
        const up = fineTuningApiFor(target.live);
        if (up === undefined) throw new RouterError("invalid_request", `This model's provider offers no fine-tuning (${req.model}).`);
        const files: Record<string, string> = {};
        const copy = async (id: string, param: string) => {
          const f = await ownedFile(o.files, ctx, id).catch(() => {
            throw new RouterError("invalid_request", `No such File object: ${id.slice(0, 80)}`, { param });
          });
          if (f.purpose !== "fine-tune") throw new RouterError("invalid_request", "The file's purpose must be `fine-tune`.", { param });
          const bytes = await o.files.read(f.id);
          if (bytes === undefined) throw new RouterError("invalid_request", `No such File object: ${id.slice(0, 80)}`, { param });
          const remote = await up.uploadFile(bytes, f.filename);
          files[remote] = f.id;
          return remote;
        };
        const training = await copy(req.training_file, "training_file");
        const validation = req.validation_file ? await copy(req.validation_file, "validation_file") : null;
        const body: FtCreate = { model: target.upstreamModel, training_file: training, validation_file: validation };
        for (const k of ["hyperparameters", "method", "suffix", "seed", "metadata"] as const)
          if (req[k] != null) Object.assign(body, { [k]: req[k] });
        const created = await up.create(body);
        if (typeof created.id !== "string") throw new RouterError("upstream_bad_response", "The provider returned no job id.");
        const j: FtJob = {
          id: newObjectId("ftjob-"),
          owner: ownerOf(ctx),
          model: req.model,
          provider: target.provider,
          upstream_id: created.id,
          training_file: req.training_file,
          validation_file: req.validation_file ?? null,
          files,
          created_ms: Date.now(),
          status: typeof created.status === "string" ? created.status : "queued",
          fine_tuned_model: null,
          shared_with: [],
          last: created,
          cancel_requested: false,
          cancel_sent: false,
          events: [],
        };
        send(ctx, await note(ctx, j, created));
      },
    },
    {
      method: "GET",
      path: "/v1/fine_tuning/jobs",
      auth: true,
      async handle(ctx) {
        const q = listQuery(ctx, 100, 20);
        const mine = [...(await o.jobs.all(ownerOf(ctx))).values()].sort((a, b) => b.created_ms - a.created_ms);
        const from = q.after === undefined ? 0 : mine.findIndex((j) => j.id === q.after) + 1;
        send(
          ctx,
          listPage(
            mine.slice(from, from + q.limit + 1).map((j) => jobObject(j, j.last)),
            q.limit,
          ),
        );
      },
    },
    {
      method: "GET",
      path: "/v1/fine_tuning/jobs/*",
      auth: true,
      async handle(ctx, rest) {
        const [id = "", what, more] = rest.split("/");
        if (more !== undefined || (what !== undefined && what !== "events" && what !== "checkpoints")) throw notFound(rest);
        const j = await owned(ctx, id);
        const up = upstreamOf(ctx, j);
        if (what === undefined) return send(ctx, await note(ctx, j, await up.retrieve(j.upstream_id)));
        const url = ctx.req.url ?? "";
        const q = new URLSearchParams(url.includes("?") ? url.slice(url.indexOf("?") + 1) : "");
        const page: { after?: string; limit?: number } = {};
        if (q.get("after")) page.after = (q.get("after") as string).slice(0, 128);
        const limit = Number(q.get("limit"));
        if (q.get("limit") !== null && Number.isFinite(limit)) page.limit = limit;
        const list = what === "events" ? await up.events(j.upstream_id, page) : await up.checkpoints(j.upstream_id, page);
        const data = Array.isArray(list.data)
          ? list.data.map((e) =>
              typeof e === "object" && e !== null && "fine_tuning_job_id" in e ? Object.assign({}, e, { fine_tuning_job_id: j.id }) : e,
            )
          : [];
        send(ctx, { object: "list", data, has_more: list.has_more === true });
      },
    },
    {
      method: "POST",
      path: "/v1/fine_tuning/jobs/*",
      auth: true,
      async handle(ctx, rest) {
        const [id = "", action, more] = rest.split("/");
        if (more !== undefined || (action !== "cancel" && action !== "pause" && action !== "resume")) throw notFound(rest);
        const j = await owned(ctx, id);
        const up = upstreamOf(ctx, j);
        const act = up[action];
        if (act === undefined)
          throw new RouterError("invalid_request", `This job's provider cannot ${action} a job.`, { publicCode: null });
        send(ctx, await note(ctx, j, await act(j.upstream_id)));
      },
    },
  ];
}
