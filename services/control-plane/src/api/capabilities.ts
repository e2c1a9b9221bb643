import {
  CapabilityAttach,
  CapabilityCreate,
  CapabilityOut,
  MessageOut,
  manualHealthOf,
  ProviderHealthOut,
  ProviderHealthSet,
} from "@ai-router/contracts";
import type { Request } from "express";
import { z } from "zod";
import { conflict, notFound, parseBody } from "../http/errors.js";
import { audit } from "./audit.js";
import { type ApiContext, actor, published } from "./context.js";

const tag = "capabilities";
const out = (c: { id: number; name: string; description: string | null }) => ({
  capability_id: c.id,
  capability_name: c.name,
  description: c.description,
});
/** The original took query parameters (`?capability_name=`); a JSON body works too. */
const bodyOrQuery = (req: Request): Record<string, unknown> =>
  req.body && typeof req.body === "object" && Object.keys(req.body).length > 0 ? req.body : { ...req.query };
const withBody = (req: Request) => Object.assign(req, { body: bodyOrQuery(req) });

/**
 * The original's capabilities (`/v1/db/capabilities`, `/v1/models/{m}/capabilities`) and its manual
 * provider health (`PUT /v1/providers/{name}/health`). Every change republishes the routing table, so
 * every proxy checks requests against the new capabilities and takes the provider out (or back) at once.
 */
export function capabilityRoutes(ctx: ApiContext): void {
  const { api, prisma } = ctx;
  const model = async (name: string) => {
    const m = await prisma.model.findUnique({ where: { name }, include: { capabilities: { include: { capability: true } } } });
    if (!m) throw notFound(`Model "${name}"`);
    return m;
  };

  api.route(
    {
      method: "get",
      path: "/v1/db/capabilities",
      tag,
      summary: "List capabilities (a bare array, as the original)",
      response: z.array(CapabilityOut),
    },
    async () => (await prisma.capability.findMany({ orderBy: { id: "asc" } })).map(out),
  );

  api.route(
    {
      method: "post",
      path: "/v1/db/capabilities",
      tag,
      summary: "Create a capability (name upper-cased)",
      description: "`?capability_name=&description=` (the original) or a JSON body with the same fields.",
      body: CapabilityCreate,
      response: z.object({ message: z.string(), capability_id: z.number().int(), capability_name: z.string() }),
      status: 201,
      errors: [409],
    },
    async (req) => {
      const b = parseBody(CapabilityCreate, withBody(req));
      if (await prisma.capability.findUnique({ where: { name: b.capability_name } }))
        throw conflict(`Capability "${b.capability_name}" already exists.`, "capability_name");
      const c = await prisma.capability.create({ data: { name: b.capability_name, description: b.description ?? null } });
      await audit(prisma, actor(ctx, req), "create", "capability", c.id, { name: c.name });
      return { message: "Capability created", capability_id: c.id, capability_name: c.name };
    },
  );

  api.route(
    {
      method: "get",
      path: "/v1/models/capabilities",
      tag,
      summary: "Every model's capabilities",
      response: z.object({ models: z.array(z.object({ model_name: z.string(), capabilities: z.array(CapabilityOut) })) }),
    },
    async () => {
      const rows = await prisma.model.findMany({ include: { capabilities: { include: { capability: true } } }, orderBy: { id: "asc" } });
      return { models: rows.map((m) => ({ model_name: m.name, capabilities: m.capabilities.map((c) => out(c.capability)) })) };
    },
  );

  api.route(
    {
      method: "get",
      path: "/v1/models/:name/capabilities",
      tag,
      summary: "A model's capabilities",
      response: z.object({ model_name: z.string(), capabilities: z.array(CapabilityOut) }),
      errors: [404],
    },
    async (req) => {
      const m = await model(String(req.params.name));
      return { model_name: m.name, capabilities: m.capabilities.map((c) => out(c.capability)) };
    },
  );

  api.route(
    {
      method: "post",
      path: "/v1/models/:name/capabilities",
      tag,
      summary: "Attach an existing capability to a model",
      description: "`?capability_name=` (the original) or a JSON body.",
      body: CapabilityAttach,
      response: MessageOut,
      errors: [404],
    },
    async (req, res) => {
      const b = parseBody(CapabilityAttach, withBody(req));
      const m = await model(String(req.params.name));
      const c = await prisma.capability.findUnique({ where: { name: b.capability_name.trim().toUpperCase() } });
      if (!c) throw notFound(`Capability "${b.capability_name}"`);
      await prisma.modelCapability.upsert({
        where: { modelId_capabilityId: { modelId: m.id, capabilityId: c.id } },
        create: { modelId: m.id, capabilityId: c.id },
        update: {},
      });
      await audit(prisma, actor(ctx, req), "attach_capability", "model", m.id, { capability: c.name });
      await published(ctx, res, `model ${m.name} capability ${c.name} attached`);
      return { message: `Capability ${c.name} attached to ${m.name}` };
    },
  );

  api.route(
    {
      method: "delete",
      path: "/v1/models/:name/capabilities/:cap",
      tag,
      summary: "Detach a capability from a model",
      response: MessageOut,
      errors: [404],
    },
    async (req, res) => {
      const m = await model(String(req.params.name));
      const name = String(req.params.cap).toUpperCase();
      const link = m.capabilities.find((c) => c.capability.name === name);
      if (!link) throw notFound(`Capability "${name}" on model "${m.name}"`);
      await prisma.modelCapability.delete({ where: { modelId_capabilityId: { modelId: m.id, capabilityId: link.capabilityId } } });
      await audit(prisma, actor(ctx, req), "detach_capability", "model", m.id, { capability: name });
      await published(ctx, res, `model ${m.name} capability ${name} detached`);
      return { message: `Capability ${name} detached from ${m.name}` };
    },
  );

  api.route(
    {
      method: "put",
      path: "/v1/providers/:name/health",
      tag: "providers",
      summary: "Take a provider out of rotation by hand, mark it degraded, or put it back",
      description:
        "`?health_status=unhealthy|degraded|healthy|auto` (the original) or a JSON body. unhealthy: no proxy sends it traffic until put back; healthy/auto: back in rotation, live health decides. Published to every replica.",
      body: ProviderHealthSet,
      response: ProviderHealthOut,
      errors: [404],
    },
    async (req, res) => {
      const b = parseBody(ProviderHealthSet, withBody(req));
      const p = await prisma.provider.findUnique({ where: { name: String(req.params.name) } });
      if (!p) throw notFound(`Provider "${String(req.params.name)}"`);
      const manual = manualHealthOf(b.health_status);
      await prisma.provider.update({ where: { id: p.id }, data: { healthOverride: manual ?? null } });
      await audit(prisma, actor(ctx, req), "set_health", "provider", p.id, { health_status: b.health_status });
      await published(ctx, res, `provider ${p.name} health ${b.health_status}`);
      const message =
        manual === "unhealthy"
          ? `Provider ${p.name} taken out of rotation`
          : manual === "degraded"
            ? `Provider ${p.name} marked degraded (still in rotation)`
            : `Provider ${p.name} back in rotation; live health decides`;
      return { message, provider_name: p.name, health_status: b.health_status, manual: manual ?? null };
    },
  );
}
