import type { MultipartEndpoint, ProviderAdapter } from "@ai-router/providers";
import { readBody } from "../http/read-body.js";
import { sendError, sendJson } from "../http/respond.js";
import { resolveModel, servePipeline } from "../pipeline/serve.js";
import type { Route } from "../server.js";
import { checkCapabilities, IMAGE_EDIT_NEEDS } from "./capabilities.js";
import type { RequestContext } from "./context.js";
import { type ImageFormKind, readImageForm } from "./images-form.js";
import { modelObject, visibleModels } from "./models.js";

interface ImageFormSpec {
  endpoint: "images.edits" | "images.variations";
  kind: ImageFormKind;
  pick: (a: ProviderAdapter) => MultipartEndpoint | undefined;
}

/** Model used when the request names none: the only one OpenAI serves edits and variations with. */
const DEFAULT_MODEL = "dall-e-2";

/** POST /v1/images/edits: multipart or JSON in, multipart upstream, routed and failed over. */
export const handleImageEdits = (ctx: RequestContext) =>
  serveImageForm(ctx, { endpoint: "images.edits", kind: "edits", pick: (a) => a.imageEdits });

/** POST /v1/images/variations: like edits, without a prompt. */
export const handleImageVariations = (ctx: RequestContext) =>
  serveImageForm(ctx, { endpoint: "images.variations", kind: "variations", pick: (a) => a.imageVariations });

async function serveImageForm(ctx: RequestContext, spec: ImageFormSpec): Promise<void> {
  const raw = await readBody(ctx.req, ctx.table.settings.maxBodyBytes);
  const form = readImageForm(raw, ctx.req.headers["content-type"], spec.kind);
  const name = form.model ?? DEFAULT_MODEL;
  const path = `/${spec.endpoint.replace(".", "/")}`;
  const model = resolveModel(ctx, name, "image");
  checkCapabilities(model, IMAGE_EDIT_NEEDS);
  await servePipeline(ctx, {
    endpoint: spec.endpoint,
    modelName: name,
    model,
    stream: false,
    promptTokens: Math.ceil((form.prompt?.length ?? 0) / 4),
    maxTokens: undefined,
    images: form.n,
    exchange: (t, target) => {
      const adapter = t.live.adapter;
      const ep = spec.pick(adapter);
      if (!ep) return { kind: "unsupported", what: path };
      return {
        kind: "upstream",
        dropped: [],
        request: ep.build(form.parts, target),
        parse: (bytes) => ({ body: bytes, usage: ep.usage(bytes) }),
        parseError: adapter.parseError,
      };
    },
    sendError,
    streamError: () => "",
  });
}

/** GET /v1/images/models: the image models this key may use, in OpenAI's list format. */
export function handleImageModels(ctx: RequestContext): void {
  const data = visibleModels(ctx, "image").map(modelObject);
  sendJson(ctx.res, 200, JSON.stringify({ object: "list", data }), { "x-request-id": ctx.id });
}

/** The image routes besides generations (which the JSON passthrough serves). */
export function imageRoutes(): Route[] {
  return [
    {
      method: "POST",
      path: "/v1/images/edits",
      auth: true,
      handle: handleImageEdits,
      usage: { ingress: "openai-images", endpoint: "images.edits", estimate: "none" },
    },
    {
      method: "POST",
      path: "/v1/images/variations",
      auth: true,
      handle: handleImageVariations,
      usage: { ingress: "openai-images", endpoint: "images.variations", estimate: "none" },
    },
    { method: "GET", path: "/v1/images/models", auth: true, handle: handleImageModels },
  ];
}
