import type { LlmType } from "@ai-router/contracts";
import { RouterError } from "@ai-router/errors";
import { authorizeModel } from "../http/auth.js";
import { sendJson } from "../http/respond.js";
import type { LiveModel } from "../routing/runtime-table.js";
import type { RequestContext } from "./context.js";

/** The models the caller's key may use (of one kind, if given), in table order. */
export function visibleModels(ctx: RequestContext, llmType?: LlmType): LiveModel[] {
  const allowed = ctx.key?.models;
  const out: LiveModel[] = [];
  for (const m of ctx.table.models.values()) {
    if ((llmType === undefined || m.config.llmType === llmType) && (!allowed || allowed.includes(m.config.name))) out.push(m);
  }
  return out;
}

/** A model by name: 404 when unknown, 403 when the key may not use it. */
export function findModel(ctx: RequestContext, name: string, param = "model"): LiveModel {
  const model = ctx.table.models.get(name);
  if (!model) {
    throw new RouterError("model_not_found", `The model \`${name}\` does not exist or you do not have access to it.`, {
      param,
      publicCode: "model_not_found",
    });
  }
  authorizeModel(ctx.key, name);
  return model;
}

/** OpenAI's model object plus the original's extra fields (providers, counts, type). */
export function modelObject(m: LiveModel) {
  const providers = [...new Set(m.targets.map((t) => t.provider))];
  return {
    id: m.config.name,
    object: "model",
    created: m.config.created,
    owned_by: "ai-router",
    root: m.config.name,
    parent: null,
    permission: providers,
    providers_count: providers.length,
    llm_type: m.config.llmType,
    ...(m.config.description ? { description: m.config.description } : {}),
  };
}

/** GET /v1/models: the models this key may use. */
export function handleListModels(ctx: RequestContext): void {
  const data = visibleModels(ctx).map(modelObject);
  sendJson(ctx.res, 200, JSON.stringify({ object: "list", data }), { "x-request-id": ctx.id });
}

/** GET /v1/models/{model}; model ids may contain slashes. */
export function handleGetModel(ctx: RequestContext, name: string): void {
  sendJson(ctx.res, 200, JSON.stringify(modelObject(findModel(ctx, name))), { "x-request-id": ctx.id });
}
