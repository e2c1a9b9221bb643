import { EmbeddingsRequest, ImageGenerationRequest } from "@ai-router/contracts";
import { RouterError } from "@ai-router/errors";
import { passthroughEndpoint } from "@ai-router/providers";
import type { Endpoint } from "../../endpoints/endpoint.js";
import { sendError } from "../../http/respond.js";
import { imagesAsked } from "../../limits/reserve.js";
import { resolveModel, servePipeline } from "../../pipeline/serve.js";
import type { RequestContext } from "../context.js";
import { checkCapabilities, EMBEDDING_NEEDS, IMAGE_GENERATION_NEEDS } from "./capabilities.js";

interface PassthroughSpec {
  path: string;
  serves: "embeddings" | "images.generations";
  llmType: "embedding" | "image";
  schema: Endpoint["schema"] & {};
  usage: Endpoint["usage"] & {};
  /** Model used when the request names none (images). */
  defaultModel?: string;
}

/**
 * A JSON endpoint with routing and failover (embeddings, images), declared once: forwarded as it is to
 * OpenAI-style providers, translated both ways by an adapter whose endpoint has `parse` (Gemini
 * embeddings). Providers that do not declare the endpoint are skipped.
 */
function jsonPassthrough(spec: PassthroughSpec): Endpoint {
  const needs = spec.llmType === "embedding" ? EMBEDDING_NEEDS : IMAGE_GENERATION_NEEDS;
  const endpoint = spec.usage.endpoint;
  const handle = async (ctx: RequestContext): Promise<void> => {
    const json = ctx.json!;
    const name = (ctx.valid as { model?: string }).model ?? spec.defaultModel;
    if (!name) throw new RouterError("invalid_request", "Missing required parameter: 'model'.", { param: "model" });
    const model = resolveModel(ctx, name);
    checkCapabilities(model, needs);
    await servePipeline(ctx, {
      endpoint,
      modelName: name,
      model,
      stream: false,
      promptTokens: ctx.body.length >> 2,
      maxTokens: undefined,
      units: spec.llmType === "image" ? { images: imagesAsked(json.n) } : undefined,
      exchange: (t, target) => {
        const adapter = t.live.adapter;
        const ep = passthroughEndpoint(adapter, spec.serves);
        if (!ep) return { kind: "unsupported", what: endpoint };
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
  };
  return {
    method: "POST",
    path: spec.path,
    auth: true,
    body: "json",
    schema: spec.schema,
    llmType: spec.llmType,
    serves: spec.serves,
    answers: ["json"],
    usage: spec.usage,
    handle,
  };
}

/** `POST /v1/embeddings`. */
export const embeddingsEndpoint = (): Endpoint =>
  jsonPassthrough({
    path: "/v1/embeddings",
    serves: "embeddings",
    llmType: "embedding",
    schema: EmbeddingsRequest,
    usage: { ingress: "openai-embeddings", endpoint: "embeddings", estimate: "prompt" },
  });

/** `POST /v1/images/generations` (default model `dall-e-3`, as OpenAI's). */
export const imageGenerationsEndpoint = (): Endpoint =>
  jsonPassthrough({
    path: "/v1/images/generations",
    serves: "images.generations",
    llmType: "image",
    schema: ImageGenerationRequest,
    usage: { ingress: "openai-images", endpoint: "images.generations", estimate: "none" },
    defaultModel: "dall-e-3",
  });
