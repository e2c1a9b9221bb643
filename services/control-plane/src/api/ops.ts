import { AuditEntryOut } from "@ai-router/contracts";
import { z } from "zod";
import { parseQuery } from "../http/errors.js";
import { type ApiContext, published } from "./context.js";

const tag = "operations";
const AuditQuery = z
  .object({
    entity: z.string().max(64).optional(),
    entity_id: z.string().max(64).optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(100),
  })
  .strict();

export function opsRoutes(ctx: ApiContext): void {
  const { api, prisma } = ctx;

  api.route(
    {
      method: "post",
      path: "/v1/stats/refresh",
      tag,
      summary: "Recompile the routing table from the database and republish it",
      description: "Client keys are re-read too: the keys bucket is made equal to the database's keys.",
      response: z.object({
        message: z.string(),
        models_count: z.number().int(),
        revision: z.number().int(),
        published: z.boolean(),
        warnings: z.array(z.string()),
      }),
    },
    async (_req, res) => {
      const r = await published(ctx, res, "refresh requested", { resyncKeys: true });
      return {
        message: r.published
          ? "Configuration refreshed and published"
          : "Configuration compiled; publishing will be retried (NATS unavailable)",
        models_count: r.models,
        revision: r.revision,
        published: r.published,
        warnings: r.warnings,
      };
    },
  );

  api.route(
    {
      method: "post",
      path: "/v1/models/clear-cache",
      tag,
      summary: "Clear cached model state",
      description:
        "Proxies hold no model cache beyond the routing table; this republishes the table so every replica rebuilds its runtime form.",
      response: z.object({ message: z.string(), timestamp: z.number(), revision: z.number().int() }),
    },
    async (_req, res) => {
      const r = await published(ctx, res, "clear-cache requested");
      return { message: "Model cache cleared", timestamp: Date.now() / 1000, revision: r.revision };
    },
  );

  api.route(
    {
      method: "get",
      path: "/v1/db/audit",
      tag,
      summary: "Read the audit log (newest first)",
      query: {
        entity: { description: "provider, model, client_key", schema: z.string() },
        entity_id: { description: "Row id", schema: z.string() },
        limit: { description: "1-1000, default 100", schema: z.number().int() },
      },
      response: z.object({ entries: z.array(AuditEntryOut) }),
    },
    async (req) => {
      const q = parseQuery(AuditQuery, req);
      const rows = await prisma.auditLog.findMany({
        where: { ...(q.entity ? { entity: q.entity } : {}), ...(q.entity_id ? { entityId: q.entity_id } : {}) },
        orderBy: { id: "desc" },
        take: q.limit,
      });
      return {
        entries: rows.map((r) => ({
          id: r.id,
          at: r.at.toISOString(),
          actor: r.actor,
          action: r.action,
          entity: r.entity,
          entity_id: r.entityId,
          details: r.details as Record<string, unknown>,
        })),
      };
    },
  );
}
