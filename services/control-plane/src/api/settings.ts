import { SettingsOut, SettingsUpdate } from "@ai-router/contracts";
import type { Db } from "../db/client.js";
import { parseBody } from "../http/errors.js";
import { audit } from "./audit.js";
import { type ApiContext, actor, published } from "./context.js";

const tag = "settings";

/** The settings row, created on first use (a database migrated before the row existed never lacks one). */
export async function loadSettings(db: Db) {
  return db.routerSettings.upsert({ where: { id: 1 }, create: { id: 1 }, update: {} });
}

/** Turns `auth_required` on (the first client key does): from then on only an explicit PUT turns it off. */
export async function requireAuth(db: Db): Promise<boolean> {
  const s = await loadSettings(db);
  if (s.authRequired) return false;
  await db.routerSettings.update({ where: { id: 1 }, data: { authRequired: true, updatedAt: new Date() } });
  return true;
}

export function settingsRoutes(ctx: ApiContext): void {
  const { api, prisma } = ctx;
  const out = async (db: Db): Promise<SettingsOut> => {
    const [s, keys] = await Promise.all([loadSettings(db), db.clientKey.count()]);
    return { auth_required: s.authRequired, client_keys: keys, updated_at: s.updatedAt.toISOString() };
  };

  api.route({ method: "get", path: "/v1/db/settings", tag, summary: "Cluster-wide settings", response: SettingsOut }, () => out(prisma));

  api.route(
    {
      method: "put",
      path: "/v1/db/settings",
      tag,
      summary: "Change cluster-wide settings",
      description:
        "`auth_required`: every proxy request needs a client key. The first client key turns it on; only this call turns it off. " +
        "With it off and no key left, the proxies ask for no key at all.",
      body: SettingsUpdate,
      response: SettingsOut,
    },
    async (req, res) => {
      const b = parseBody(SettingsUpdate, req);
      const result = await prisma.$transaction(async (tx) => {
        const before = await loadSettings(tx);
        await tx.routerSettings.update({ where: { id: 1 }, data: { authRequired: b.auth_required, updatedAt: new Date() } });
        await audit(tx, actor(ctx, req), "update", "settings", 1, { auth_required: { from: before.authRequired, to: b.auth_required } });
        return out(tx);
      });
      if (!b.auth_required)
        ctx.logger.warn({ actor: actor(ctx, req) }, "auth_required turned off: with no client key left, the proxies ask for none");
      await published(ctx, res, "settings updated");
      return result;
    },
  );
}
