import { RouterError } from "@ai-router/errors";
import { z } from "zod";
import type { PrismaClient } from "../db/client.js";
import { notFound, parseQuery } from "../http/errors.js";
import { audit } from "./audit.js";
import { type ApiContext, actor } from "./context.js";

const tag = "offline";

const ListQuery = z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100) }).strict();
const IdParam = z.string().regex(/^[A-Za-z0-9_-]{1,128}$/);

/** OpenAI's batch fields the console reads, from a proxy's stored batch state. */
const BATCH_FIELDS = [
  "id",
  "endpoint",
  "status",
  "input_file_id",
  "output_file_id",
  "error_file_id",
  "created_at",
  "in_progress_at",
  "finalizing_at",
  "completed_at",
  "failed_at",
  "expired_at",
  "cancelling_at",
  "cancelled_at",
  "request_counts",
  "metadata",
] as const;

const AdminListOut = z.object({ object: z.literal("list"), data: z.array(z.record(z.string(), z.unknown())), has_more: z.boolean() });

/** Whether the proxies' offline tables are in this database (migration 20261207170000_offline_cluster). */
async function hasTable(prisma: PrismaClient, table: "router_batches" | "router_ft_jobs"): Promise<boolean> {
  const r = await prisma.$queryRawUnsafe<{ t: string | null }[]>("SELECT to_regclass($1)::text AS t", table);
  return r[0]?.t != null;
}

const notStored = (what: string) =>
  new RouterError("not_found", `${what} are not kept in PostgreSQL by this version of the router (cluster mode).`, {
    publicCode: "offline_store_missing",
  });

/** Owner key ids -> names, for the rows' `owner` (the id stays in `owner_key_id`). */
async function ownerNames(prisma: PrismaClient, owners: string[]): Promise<Map<string, string>> {
  const ids = [...new Set(owners.map(Number).filter((n) => Number.isInteger(n) && n > 0))];
  if (ids.length === 0) return new Map();
  const keys = await prisma.clientKey.findMany({ where: { id: { in: ids } }, select: { id: true, name: true } });
  return new Map(keys.map((k) => [String(k.id), k.name]));
}

/**
 * The console's Batches and Fine-tuning pages in cluster mode: every key's batches and jobs as the
 * proxies and the health worker keep them (`router_batches`, `router_ft_jobs`, their state as JSON),
 * and a batch's cancel (its status set to `cancelling`, which the runner honours and no progress save
 * undoes); a job's latest events (stored by the health worker's poll) and its cancel (a request the
 * worker's poll sends to the provider, as a batch's cancel is honoured by the runner).
 */
export function offlineJobRoutes(ctx: ApiContext): void {
  const { api, prisma } = ctx;
  const rows = async (table: "router_batches" | "router_ft_jobs", limit: number) => {
    if (!(await hasTable(prisma, table))) throw notStored(table === "router_batches" ? "Batches" : "Fine-tuning jobs");
    return prisma.$queryRawUnsafe<{ owner: string; state: Record<string, unknown> }[]>(
      `SELECT owner, state FROM ${table} ORDER BY created_ms DESC, id DESC LIMIT $1`,
      limit + 1,
    );
  };

  api.route(
    {
      method: "get",
      path: "/v1/admin/batches",
      tag,
      summary: "List every client key's batches (newest first)",
      query: { limit: { description: "1-1000, default 100", schema: z.number().int() } },
      response: AdminListOut,
      errors: [404],
    },
    async (req) => {
      const q = parseQuery(ListQuery, req);
      const found = await rows("router_batches", q.limit);
      const names = await ownerNames(
        prisma,
        found.map((r) => r.owner),
      );
      const data = found.slice(0, q.limit).map((r) => {
        const out: Record<string, unknown> = { object: "batch" };
        for (const k of BATCH_FIELDS) out[k] = r.state[k] ?? null;
        return Object.assign(out, { owner: names.get(r.owner) ?? r.owner, owner_key_id: r.owner });
      });
      return { object: "list" as const, data, has_more: found.length > q.limit };
    },
  );

  api.route(
    {
      method: "post",
      path: "/v1/admin/batches/:id/cancel",
      tag,
      summary: "Cancel a batch (lines not yet sent never run)",
      response: z.record(z.string(), z.unknown()),
      errors: [404, 409],
    },
    async (req) => {
      const r = IdParam.safeParse(req.params.id);
      if (!r.success || !(await hasTable(prisma, "router_batches"))) throw notFound("Batch");
      const now = Math.floor(Date.now() / 1000);
      const updated = await prisma.$queryRawUnsafe<{ owner: string; state: Record<string, unknown> }[]>(
        `UPDATE router_batches SET status = 'cancelling',
           state = state || jsonb_build_object('status', 'cancelling', 'cancelling_at', $2::bigint)
         WHERE id = $1 AND status IN ('validating', 'in_progress') RETURNING owner, state`,
        r.data,
        now,
      );
      const row = updated[0];
      if (row === undefined) {
        const exists = await prisma.$queryRawUnsafe<{ status: string }[]>("SELECT status FROM router_batches WHERE id = $1", r.data);
        if (exists[0] === undefined) throw notFound("Batch");
        if (exists[0].status !== "cancelling")
          throw new RouterError("conflict", `Cannot cancel a batch with status ${exists[0].status}.`, { publicCode: null });
        return { id: r.data, object: "batch", status: "cancelling" };
      }
      await audit(prisma, actor(ctx, req), "cancel", "batch", r.data);
      return { id: r.data, object: "batch", status: "cancelling", owner_key_id: row.owner };
    },
  );

  api.route(
    {
      method: "get",
      path: "/v1/admin/fine_tuning/jobs",
      tag,
      summary: "List every client key's fine-tuning jobs (newest first)",
      query: { limit: { description: "1-1000, default 100", schema: z.number().int() } },
      response: AdminListOut,
      errors: [404],
    },
    async (req) => {
      const q = parseQuery(ListQuery, req);
      const found = await rows("router_ft_jobs", q.limit);
      const names = await ownerNames(prisma, [...found.map((r) => r.owner), ...found.flatMap((r) => sharedIds(r.state))]);
      const data = found.slice(0, q.limit).map((r) => jobRow(r, names));
      return { object: "list" as const, data, has_more: found.length > q.limit };
    },
  );

  api.route(
    {
      method: "get",
      path: "/v1/admin/fine_tuning/jobs/:id/events",
      tag,
      summary: "A fine-tuning job's latest events (as the health worker last read them from the provider)",
      response: AdminListOut,
      errors: [404],
    },
    async (req) => {
      const r = IdParam.safeParse(req.params.id);
      if (!r.success || !(await hasTable(prisma, "router_ft_jobs"))) throw notFound("Fine-tuning job");
      const found = await prisma.$queryRawUnsafe<{ state: Record<string, unknown> }[]>(
        "SELECT state FROM router_ft_jobs WHERE id = $1",
        r.data,
      );
      if (found[0] === undefined) throw notFound("Fine-tuning job");
      const events = Array.isArray(found[0].state.events) ? (found[0].state.events as Record<string, unknown>[]) : [];
      // The provider's job id in its events is the router's here, as on the client API.
      const data = events.map((e) => ("fine_tuning_job_id" in e ? Object.assign({}, e, { fine_tuning_job_id: r.data }) : e));
      return { object: "list" as const, data, has_more: false };
    },
  );

  api.route(
    {
      method: "post",
      path: "/v1/admin/fine_tuning/jobs/:id/cancel",
      tag,
      summary: "Cancel a fine-tuning job (the health worker sends the cancel to its provider at its next poll)",
      response: z.record(z.string(), z.unknown()),
      errors: [404, 409],
    },
    async (req) => {
      const r = IdParam.safeParse(req.params.id);
      if (!r.success || !(await hasTable(prisma, "router_ft_jobs"))) throw notFound("Fine-tuning job");
      const updated = await prisma.$queryRawUnsafe<{ owner: string; state: Record<string, unknown> }[]>(
        `UPDATE router_ft_jobs SET state = state || '{"cancel_requested": true}'::jsonb
         WHERE id = $1 AND status NOT IN ('succeeded', 'failed', 'cancelled') RETURNING owner, state`,
        r.data,
      );
      const row = updated[0];
      if (row === undefined) {
        const exists = await prisma.$queryRawUnsafe<{ status: string }[]>("SELECT status FROM router_ft_jobs WHERE id = $1", r.data);
        if (exists[0] === undefined) throw notFound("Fine-tuning job");
        throw new RouterError("conflict", `Cannot cancel a job with status ${exists[0].status}.`, { publicCode: null });
      }
      await audit(prisma, actor(ctx, req), "cancel", "fine_tuning_job", r.data);
      return Object.assign(jobRow(row, await ownerNames(prisma, [row.owner])), { cancel_requested: true });
    },
  );
}

/** The key ids a job's model is shared with (the admin's sharing, offline-sharing.ts). */
const sharedIds = (s: Record<string, unknown>): string[] =>
  Array.isArray(s.shared_with) ? s.shared_with.filter((x): x is string => typeof x === "string") : [];

/** A stored job as the console lists it (OpenAI's job fields it reads, with the owner and whom its model is shared with). */
function jobRow(r: { owner: string; state: Record<string, unknown> }, names: Map<string, string>) {
  const s = r.state;
  const last = (typeof s.last === "object" && s.last !== null ? s.last : {}) as Record<string, unknown>;
  return {
    object: "fine_tuning.job",
    id: s.id,
    model: s.model,
    status: s.status,
    fine_tuned_model: s.fine_tuned_model ?? null,
    trained_tokens: typeof last.trained_tokens === "number" ? last.trained_tokens : null,
    created_at: Math.floor(Number(s.created_ms ?? 0) / 1000),
    provider: s.provider,
    shared_with: s.shared_with ?? [],
    shared_with_names: sharedIds(s).map((id) => names.get(id) ?? id),
    owner: names.get(r.owner) ?? r.owner,
    owner_key_id: r.owner,
  };
}
