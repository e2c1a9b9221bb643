import { RouterError } from "@ai-router/errors";
import type { PassthroughEndpoint, ProviderAdapter } from "@ai-router/providers";
import type { z } from "zod";
import { parseJsonObject, readBody } from "../http/read-body.js";
import { sendError } from "../http/respond.js";
import { validateBody } from "../http/validation.js";
import { imagesAsked } from "../limits/reserve.js";
import { resolveModel, servePipeline } from "../pipeline/serve.js";
import { checkCapabilities, EMBEDDING_NEEDS, IMAGE_GENERATION_NEEDS } from "./capabilities.js";
import type { RequestContext } from "./context.js";

export interface PassthroughSpec {
  endpoint: string;
  llmType: "embedding" | "image";
  schema: z.ZodType<{ model?: string | undefined }>;
  pick: (a: ProviderAdapter) => PassthroughEndpoint | undefined;
  /** Model used when the request names none (images). */
  defaultModel?: string;
}

/**
 * JSON endpoints with routing and failover (embeddings, images): forwarded as they are to OpenAI-style
 * providers, translated both ways by an adapter whose endpoint has `parse` (Gemini embeddings).
 */
export async function handlePassthrough(ctx: RequestContext, spec: PassthroughSpec): Promise<void> {
  const raw = await readBody(ctx.req, ctx.table.settings.maxBodyBytes);
  const json = parseJsonObject(raw);
  ctx.record.noteModelOf(json);
  const body = validateBody(spec.schema, json);
  const name = body.model ?? spec.defaultModel;
  if (!name) throw new RouterError("invalid_request", "Missing required parameter: 'model'.", { param: "model" });
  const model = resolveModel(ctx, name, spec.llmType);
  checkCapabilities(model, spec.llmType === "embedding" ? EMBEDDING_NEEDS : IMAGE_GENERATION_NEEDS);
  await servePipeline(ctx, {
    endpoint: spec.endpoint,
    modelName: name,
    model,
    stream: false,
    promptTokens: raw.length >> 2,
    maxTokens: undefined,
    images: spec.llmType === "image" ? imagesAsked(json.n) : undefined,
    exchange: (t, target) => {
      const adapter = t.live.adapter;
      const ep = spec.pick(adapter);
      if (!ep) return { kind: "unsupported", what: spec.endpoint };
      return {
        kind: "upstream",
        dropped: [],
        request: ep.build(json, target),
        parse: (bytes) => ep.parse(bytes, json, target),
        parseError: adapter.parseError,
      };
    },
    sendError,
    streamError: () => "",
  });
}
