import { createHash, randomBytes } from "node:crypto";
import { ClientKeyCreate, ClientKeyCreated, ClientKeyOut, ClientKeyUpdate, IdParam, MessageOut } from "@ai-router/contracts";
import { z } from "zod";
import { Prisma } from "../generated/prisma/client.js";
import { badRequest, notFound, parseBody, parseParam } from "../http/errors.js";
import { audit } from "./audit.js";
import { type ApiContext, actor, publishedKey } from "./context.js";
import { toClientKeyOut } from "./mappers.js";
import { requireAuth } from "./settings.js";

const tag = "client keys";

/** A new client key: `sk-router-` + 43 base64url characters (256 bits). */
export function generateClientKey(): string {
  return `sk-router-${randomBytes(32).toString("base64url")}`;
}
export const sha256Hex = (s: string) => createHash("sha256").update(s).digest("hex");

export function clientKeyRoutes(ctx: ApiContext): void {
  const { api, prisma } = ctx;
  const load = async (id: number) => {
    const k = await prisma.clientKey.findUnique({ where: { id } });
    if (!k) throw notFound(`Client key ${id}`);
    return k;
  };
  const checkModels = async (models: string[] | null | undefined) => {
    if (!models) return;
    const found = new Set((await prisma.model.findMany({ where: { name: { in: models } }, select: { name: true } })).map((m) => m.name));
    const missing = models.filter((m) => !found.has(m));
    if (missing.length > 0) throw badRequest(`Unknown model(s): ${missing.join(", ")}.`, "models");
  };
  const limits = (b: ClientKeyUpdate) => ({
    rpmLimit: b.rpm_limit,
    tpmLimit: b.tpm_limit,
    budgetUsd: b.budget_usd,
    expiresAt: b.expires_at === undefined ? undefined : b.expires_at === null ? null : new Date(b.expires_at),
    allowedModels: b.models === undefined ? undefined : b.models === null ? Prisma.DbNull : b.models,
  });

  api.route(
    {
      method: "get",
      path: "/v1/db/keys",
      tag,
      summary: "List client keys (never the keys themselves)",
      response: z.object({ keys: z.array(ClientKeyOut) }),
    },
    async () => ({ keys: (await prisma.clientKey.findMany({ orderBy: { id: "asc" } })).map(toClientKeyOut) }),
  );

  api.route(
    {
      method: "post",
      path: "/v1/db/keys",
      tag,
      summary: "Create a client key",
      description: "The answer carries the plaintext `key`: this is the only time it is shown. Only its SHA-256 is stored.",
      body: ClientKeyCreate,
      response: ClientKeyCreated,
      status: 201,
    },
    async (req, res) => {
      const b = parseBody(ClientKeyCreate, req);
      await checkModels(b.models);
      const key = generateClientKey();
      const k = await prisma.$transaction(async (tx) => {
        const created = await tx.clientKey.create({ data: { name: b.name, hash: sha256Hex(key), prefix: key.slice(0, 14), ...limits(b) } });
        await audit(tx, actor(ctx, req), "create", "client_key", created.id, { name: created.name, prefix: created.prefix });
        // From the first key on, client auth stays required until an explicit PUT /v1/db/settings.
        if (await requireAuth(tx)) await audit(tx, actor(ctx, req), "update", "settings", 1, { auth_required: { from: false, to: true } });
        return created;
      });
      await publishedKey(ctx, res, k.hash, `client key ${k.id} created`);
      return { ...toClientKeyOut(k), key };
    },
  );

  api.route(
    { method: "get", path: "/v1/db/keys/:id", tag, summary: "Get a client key", response: ClientKeyOut, errors: [404] },
    async (req) => toClientKeyOut(await load(parseParam(IdParam, req, "id"))),
  );

  api.route(
    {
      method: "put",
      path: "/v1/db/keys/:id",
      tag,
      summary: "Update a client key (name, models, limits, expiry, revoked)",
      body: ClientKeyUpdate,
      response: ClientKeyOut,
      errors: [404],
    },
    async (req, res) => {
      const id = parseParam(IdParam, req, "id");
      const b = parseBody(ClientKeyUpdate, req);
      const current = await load(id);
      await checkModels(b.models);
      const k = await prisma.$transaction(async (tx) => {
        const updated = await tx.clientKey.update({
          where: { id },
          data: {
            name: b.name,
            ...limits(b),
            revoked: b.revoked,
            ...(b.revoked === undefined ? {} : { revokedAt: b.revoked ? (current.revokedAt ?? new Date()) : null }),
          },
        });
        await audit(tx, actor(ctx, req), "update", "client_key", id, { fields: Object.keys(b) });
        return updated;
      });
      await publishedKey(ctx, res, current.hash, `client key ${id} updated`);
      return toClientKeyOut(k);
    },
  );

  api.route(
    { method: "post", path: "/v1/db/keys/:id/revoke", tag, summary: "Revoke a client key", response: ClientKeyOut, errors: [404] },
    async (req, res) => {
      const id = parseParam(IdParam, req, "id");
      const current = await load(id);
      const k = await prisma.$transaction(async (tx) => {
        const updated = await tx.clientKey.update({ where: { id }, data: { revoked: true, revokedAt: current.revokedAt ?? new Date() } });
        await audit(tx, actor(ctx, req), "revoke", "client_key", id, { name: current.name, prefix: current.prefix });
        return updated;
      });
      await publishedKey(ctx, res, current.hash, `client key ${id} revoked`);
      return toClientKeyOut(k);
    },
  );

  api.route(
    {
      method: "post",
      path: "/v1/db/keys/:id/reset-spend",
      tag,
      summary: "Reset a client key's spend to 0",
      description:
        "Zeroes `spent_usd` (the spend its budget is checked against) and republishes the table: every replica counts the key's spend from 0 again. Audited with the spend it had.",
      response: ClientKeyOut,
      errors: [404],
    },
    async (req, res) => {
      const id = parseParam(IdParam, req, "id");
      const current = await load(id);
      const k = await prisma.$transaction(async (tx) => {
        const updated = await tx.clientKey.update({ where: { id }, data: { spentUsd: 0, spendResetAt: new Date() } });
        await audit(tx, actor(ctx, req), "reset_spend", "client_key", id, {
          name: current.name,
          prefix: current.prefix,
          spent_usd: current.spentUsd ?? 0,
        });
        return updated;
      });
      await publishedKey(ctx, res, current.hash, `client key ${id} spend reset`);
      await ctx.stats?.spend?.publishSpend();
      return toClientKeyOut(k);
    },
  );

  api.route(
    { method: "delete", path: "/v1/db/keys/:id", tag, summary: "Delete a client key", response: MessageOut, errors: [404] },
    async (req, res) => {
      const id = parseParam(IdParam, req, "id");
      const k = await load(id);
      await prisma.$transaction(async (tx) => {
        await tx.clientKey.delete({ where: { id } });
        await audit(tx, actor(ctx, req), "delete", "client_key", id, { name: k.name, prefix: k.prefix });
      });
      await publishedKey(ctx, res, k.hash, `client key ${id} deleted`);
      return { message: "Client key deleted successfully", id };
    },
  );
}
