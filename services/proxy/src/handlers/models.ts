import { RouterError } from "@ai-router/errors";
import { authorizeModel } from "../http/auth.js";
import { sendJson } from "../http/respond.js";
import type { LiveModel } from "../routing/runtime-table.js";
import type { RequestContext } from "./context.js";

/** OpenAI's model object plus the original's extra fields (providers, counts, type). */
function modelObject(m: LiveModel) {
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
  const allowed = ctx.key?.models;
  const data = [];
  for (const m of ctx.table.models.values()) if (!allowed || allowed.includes(m.config.name)) data.push(modelObject(m));
  sendJson(ctx.res, 200, JSON.stringify({ object: "list", data }), { "x-request-id": ctx.id });
}

/** GET /v1/models/{model}; model ids may contain slashes. */
export function handleGetModel(ctx: RequestContext, name: string): void {
  const m = ctx.table.models.get(name);
  if (!m)
    throw new RouterError("model_not_found", `The model \`${name}\` does not exist or you do not have access to it.`, {
      param: "model",
      publicCode: "model_not_found",
    });
  authorizeModel(ctx.key, name);
  sendJson(ctx.res, 200, JSON.stringify(modelObject(m)), { "x-request-id": ctx.id });
}
