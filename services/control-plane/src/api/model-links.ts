import { IdParam, LinkCreate, LinkOut, LinkUpdate, MessageOut } from "@ai-router/contracts";
import { z } from "zod";
import { Prisma } from "../generated/prisma/client.js";
import { conflict, notFound, parseBody, parseParam } from "../http/errors.js";
import { audit } from "./audit.js";
import { type ApiContext, actor, published } from "./context.js";
import { linkInclude, toLinkOut } from "./mappers.js";

const tag = "models";
const json = (v: unknown) => v as Prisma.InputJsonValue;

/** The admin API's links between models and providers (`/v1/db/models/:id/providers`). */
export function modelLinkRoutes(ctx: ApiContext): void {
  const { api, prisma } = ctx;
  const load = async (id: number) => {
    const m = await prisma.model.findUnique({ where: { id }, include: linkInclude });
    if (!m) throw notFound(`Model ${id}`);
    return m;
  };

  const loadLink = async (modelId: number, providerId: number) => {
    const l = await prisma.modelProvider.findUnique({
      where: { modelId_providerId: { modelId, providerId } },
      include: { provider: true },
    });
    if (!l) throw notFound(`Link between model ${modelId} and provider ${providerId}`);
    return l;
  };
  const linkData = (b: LinkUpdate) => ({
    weight: b.weight,
    isPreferred: b.is_preferred,
    priority: b.priority,
    upstreamModel: b.upstream_model,
    price: b.price === undefined ? undefined : b.price === null ? Prisma.DbNull : json(b.price),
    healthCheck: b.health_check,
    params: b.params === undefined ? undefined : json(b.params),
    isEnabled: b.is_enabled,
  });

  api.route(
    {
      method: "get",
      path: "/v1/db/models/:id/providers",
      tag,
      summary: "List a model's provider links",
      response: z.object({ providers: z.array(LinkOut) }),
      errors: [404],
    },
    async (req) => ({ providers: (await load(parseParam(IdParam, req, "id"))).links.map(toLinkOut) }),
  );

  api.route(
    {
      method: "post",
      path: "/v1/db/models/:id/providers",
      tag,
      summary: "Link a provider to a model",
      description: "`health_check: false` shields the link: it is never probed actively and is judged from live traffic only.",
      body: LinkCreate,
      response: LinkOut,
      status: 201,
      errors: [404, 409],
    },
    async (req, res) => {
      const id = parseParam(IdParam, req, "id");
      const b = parseBody(LinkCreate, req);
      const m = await load(id);
      const provider = await prisma.provider.findUnique({ where: { id: b.provider_id } });
      if (!provider) throw notFound(`Provider ${b.provider_id}`);
      if (m.links.some((l) => l.providerId === b.provider_id))
        throw conflict(`Model "${m.name}" is already linked to provider "${provider.name}".`, "provider_id");
      const l = await prisma.$transaction(async (tx) => {
        const created = await tx.modelProvider.create({
          data: { modelId: id, providerId: provider.id, ...linkData(b) },
          include: { provider: true },
        });
        await audit(tx, actor(ctx, req), "link", "model", id, { provider_id: provider.id, provider: provider.name });
        return created;
      });
      await published(ctx, res, `model ${m.name} linked to ${provider.name}`);
      return toLinkOut(l);
    },
  );

  api.route(
    {
      method: "put",
      path: "/v1/db/models/:id/providers/:providerId",
      tag,
      summary: "Update a link (weight, priority, price, shielding...)",
      body: LinkUpdate,
      response: LinkOut,
      errors: [404],
    },
    async (req, res) => {
      const id = parseParam(IdParam, req, "id");
      const providerId = parseParam(IdParam, req, "providerId");
      const b = parseBody(LinkUpdate, req);
      await loadLink(id, providerId);
      const l = await prisma.$transaction(async (tx) => {
        const updated = await tx.modelProvider.update({
          where: { modelId_providerId: { modelId: id, providerId } },
          data: linkData(b),
          include: { provider: true },
        });
        await audit(tx, actor(ctx, req), "update_link", "model", id, { provider_id: providerId, fields: Object.keys(b) });
        return updated;
      });
      await published(ctx, res, `link ${id}/${providerId} updated`);
      return toLinkOut(l);
    },
  );

  api.route(
    {
      method: "delete",
      path: "/v1/db/models/:id/providers/:providerId",
      tag,
      summary: "Unlink a provider",
      response: MessageOut,
      errors: [404],
    },
    async (req, res) => {
      const id = parseParam(IdParam, req, "id");
      const providerId = parseParam(IdParam, req, "providerId");
      const l = await loadLink(id, providerId);
      await prisma.$transaction(async (tx) => {
        await tx.modelProvider.delete({ where: { id: l.id } });
        await audit(tx, actor(ctx, req), "unlink", "model", id, { provider_id: providerId, provider: l.provider.name });
      });
      await published(ctx, res, `link ${id}/${providerId} removed`);
      return { message: "Link removed successfully", model_id: id, provider_id: providerId };
    },
  );
}
