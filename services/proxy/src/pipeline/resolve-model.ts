import { RECORD_NAME_MAX, recordText } from "@ai-router/contracts";
import { RouterError } from "@ai-router/errors";
import type { RequestContext } from "../handlers/context.js";
import { findModel } from "../handlers/model-api/models.js";
import type { LiveModel } from "../routing/runtime-table.js";
import { ENDPOINT_OF_TYPE } from "./endpoint-of-type.js";

/**
 * Looks up a model for the endpoint being served: 404 when unknown, 400 when it is not of the kind the
 * endpoint declares (`llmType`, chat when it declares none). The usage record keeps the name cleaned
 * and bounded (`recordText`); a name longer than any model's is a 404 that does not echo it.
 */
export function resolveModel(ctx: RequestContext, name: string): LiveModel {
  ctx.record.model ??= recordText(name);
  if (name.length > RECORD_NAME_MAX) {
    throw new RouterError("model_not_found", `No model has a name of ${name.length} characters (at most ${RECORD_NAME_MAX}).`, {
      param: "model",
      publicCode: "model_not_found",
    });
  }
  const llmType = ctx.endpoint.llmType ?? "chat";
  const model = findModel(ctx, name);
  if (model.config.llmType !== llmType) {
    throw new RouterError(
      "unsupported_endpoint",
      `The model \`${name}\` is a ${model.config.llmType} model and cannot serve this endpoint; use ${ENDPOINT_OF_TYPE[model.config.llmType]}.`,
      { param: "model" },
    );
  }
  return model;
}
