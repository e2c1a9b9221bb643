import { checkStrategy } from "@ai-router/balancing";
import { IdParam, MessageOut, ModelCreate, ModelCreated, ModelOut, ModelUpdate } from "@ai-router/contracts";
import { z } from "zod";
import type { Prisma } from "../generated/prisma/client.js";
import { badRequest, conflict, notFound, parseBody, parseParam } from "../http/errors.js";
import { audit } from "./audit.js";
import { type ApiContext, actor, published } from "./context.js";
import { linkInclude, toModelOut } from "./mappers.js";
import { modelLinkRoutes } from "./model-links.js";

const tag = "models";
const json = (v: unknown) => v as Prisma.InputJsonValue;

/** Seed `llm_type` PUBLIC/PRIVATE is a visibility, and such a model serves chat. */
function splitLlmType(t: string | undefined): { llmType?: string; visibility?: string } {
  if (t === undefined) return {};
  if (t === "PUBLIC" || t === "PRIVATE") return { llmType: "chat", visibility: t };
  return { llmType: t };
}

export function modelRoutes(ctx: ApiContext): void {
  const { api, prisma } = ctx;
  const load = async (id: number) => {
    const m = await prisma.model.findUnique({ where: { id }, include: linkInclude });
    if (!m) throw notFound(`Model ${id}`);
    return m;
  };
  const strategyProblem = (name: string, options: Record<string, unknown>, m?: Awaited<ReturnType<typeof load>>) => {
    const targets = (m?.links ?? []).map((l) => ({
      provider: l.provider.name,
      upstreamModel: l.upstreamModel ?? m!.name,
      weight: l.weight,
      preferred: l.isPreferred,
      priority: l.priority,
    }));
    const problem = checkStrategy(name, options, targets);
    if (problem) throw badRequest(problem, "strategy");
  };

  api.route(
    { method: "get", path: "/v1/db/models", tag, summary: "List models", response: z.object({ models: z.array(ModelOut) }) },
    async () => ({ models: (await prisma.model.findMany({ include: linkInclude, orderBy: { id: "asc" } })).map(toModelOut) }),
  );

  api.route(
    {
      method: "post",
      path: "/v1/db/models",
      tag,
      summary: "Create a model, optionally linked to a provider",
      description:
        "Seed-compatible: `provider_id`, `provider_weight` (10) and `is_provider_preferred` (false) create the first link in the same transaction. `llm_type` is chat/embedding/image, or the seed's PUBLIC/PRIVATE (a chat model).",
      body: ModelCreate,
      response: ModelCreated,
      errors: [404, 409],
    },
    async (req, res) => {
      const b = parseBody(ModelCreate, req);
      if (await prisma.model.findUnique({ where: { name: b.name } })) throw conflict(`Model "${b.name}" already exists.`, "name");
      const provider = b.provider_id === undefined ? undefined : await prisma.provider.findUnique({ where: { id: b.provider_id } });
      if (b.provider_id !== undefined && !provider) throw notFound(`Provider ${b.provider_id}`);
      const strategy = b.strategy ?? "weighted_round_robin";
      const target = provider
        ? [
            {
              provider: provider.name,
              upstreamModel: b.upstream_model ?? b.name,
              weight: b.provider_weight,
              preferred: b.is_provider_preferred,
              priority: 0,
            },
          ]
        : [];
      const problem = checkStrategy(strategy, b.strategy_options ?? {}, target);
      if (problem) throw badRequest(problem, "strategy");
      const { llmType, visibility } = splitLlmType(b.llm_type);
      const capIds = [...new Set(b.capability_ids ?? [])];
      const caps = capIds.length ? await prisma.capability.findMany({ where: { id: { in: capIds } }, orderBy: { id: "asc" } }) : [];
      const missing = capIds.filter((id) => !caps.some((c) => c.id === id));
      if (missing.length > 0)
        throw badRequest(`Unknown capability id(s): ${missing.join(", ")} (see GET /v1/db/capabilities).`, "capability_ids");
      const m = await prisma.$transaction(async (tx) => {
        const created = await tx.model.create({
          data: {
            name: b.name,
            llmType: llmType ?? "chat",
            visibility: b.visibility ?? visibility ?? "PUBLIC",
            description: b.description ?? null,
            isEnabled: b.is_enabled,
            strategy,
            strategyOptions: json(b.strategy_options ?? {}),
            params: json(b.params ?? {}),
            strict: b.strict ?? false,
            streamContinuation: b.stream_continuation ?? false,
            affinity: b.affinity ?? null,
            cacheBreakpoints: b.cache_breakpoints ?? null,
            cacheTtlS: b.cache_ttl_s ?? null,
            cacheShared: b.cache_shared ?? false,
            ...(provider
              ? {
                  links: {
                    create: {
                      providerId: provider.id,
                      weight: b.provider_weight,
                      isPreferred: b.is_provider_preferred,
                      upstreamModel: b.upstream_model ?? null,
                    },
                  },
                }
              : {}),
            ...(caps.length ? { capabilities: { create: caps.map((c) => ({ capabilityId: c.id })) } } : {}),
          },
        });
        await audit(tx, actor(ctx, req), "create", "model", created.id, { name: created.name, provider_id: provider?.id ?? null });
        return created;
      });
      await published(ctx, res, `model ${m.name} created`);
      return {
        message: "Model created successfully" as const,
        id: m.id,
        name: m.name,
        ...(provider
          ? {
              provider_info: {
                provider_id: provider.id,
                provider_name: provider.name,
                weight: b.provider_weight,
                is_preferred: b.is_provider_preferred,
              },
            }
          : {}),
        ...(b.capability_ids
          ? { capabilities: caps.map((c) => ({ capability_id: c.id, capability_name: c.name, description: c.description })) }
          : {}),
      };
    },
  );

  api.route(
    { method: "get", path: "/v1/db/models/:id", tag, summary: "Get a model with its provider links", response: ModelOut, errors: [404] },
    async (req) => toModelOut(await load(parseParam(IdParam, req, "id"))),
  );

  api.route(
    {
      method: "put",
      path: "/v1/db/models/:id",
      tag,
      summary: "Update a model (partial)",
      body: ModelUpdate,
      response: ModelOut,
      errors: [404, 409],
    },
    async (req, res) => {
      const id = parseParam(IdParam, req, "id");
      const b = parseBody(ModelUpdate, req);
      const current = await load(id);
      if (b.name !== undefined) {
        const other = await prisma.model.findUnique({ where: { name: b.name } });
        if (other && other.id !== id) throw conflict(`Model "${b.name}" already exists.`, "name");
      }
      if (b.strategy !== undefined || b.strategy_options !== undefined)
        strategyProblem(
          b.strategy ?? current.strategy,
          b.strategy_options ?? (current.strategyOptions as Record<string, unknown>),
          current,
        );
      const { llmType, visibility } = splitLlmType(b.llm_type);
      const m = await prisma.$transaction(async (tx) => {
        const updated = await tx.model.update({
          where: { id },
          data: {
            name: b.name,
            llmType,
            visibility: b.visibility ?? visibility,
            description: b.description,
            isEnabled: b.is_enabled,
            strategy: b.strategy,
            strategyOptions: b.strategy_options === undefined ? undefined : json(b.strategy_options),
            params: b.params === undefined ? undefined : json(b.params),
            strict: b.strict,
            streamContinuation: b.stream_continuation,
            affinity: b.affinity,
            cacheBreakpoints: b.cache_breakpoints,
            cacheTtlS: b.cache_ttl_s,
            cacheShared: b.cache_shared,
          },
          include: linkInclude,
        });
        await audit(tx, actor(ctx, req), "update", "model", id, { fields: Object.keys(b) });
        return updated;
      });
      await published(ctx, res, `model ${m.name} updated`);
      return toModelOut(m);
    },
  );

  api.route(
    { method: "delete", path: "/v1/db/models/:id", tag, summary: "Delete a model and its links", response: MessageOut, errors: [404] },
    async (req, res) => {
      const id = parseParam(IdParam, req, "id");
      const m = await load(id);
      await prisma.$transaction(async (tx) => {
        await tx.model.delete({ where: { id } });
        await audit(tx, actor(ctx, req), "delete", "model", id, { name: m.name });
      });
      await published(ctx, res, `model ${m.name} deleted`);
      return { message: "Model deleted successfully", id, name: m.name };
    },
  );
  modelLinkRoutes(ctx);
}
