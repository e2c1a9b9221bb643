import { multipartEndpointOf } from "@ai-router/providers";
import type { Endpoint } from "../../endpoints/endpoint.js";
import { sendError, sendJson } from "../../http/respond.js";
import { resolveModel, servePipeline } from "../../pipeline/serve.js";
import type { RequestContext } from "../context.js";
import { checkCapabilities, IMAGE_EDIT_NEEDS } from "./capabilities.js";
import { type ImageFormKind, readImageForm } from "./images-form.js";
import { modelObject, visibleModels } from "./models.js";

/** Model used when the request names none: the only one OpenAI serves edits and variations with. */
const DEFAULT_MODEL = "dall-e-2";

/**
 * `POST /v1/images/edits` and `/v1/images/variations`, declared once each: a multipart (or JSON) form
 * in, multipart upstream to the providers that declare the endpoint, routed and failed over.
 */
function imageFormEndpoint(serves: "images.edits" | "images.variations", kind: ImageFormKind): Endpoint {
  const path = `/${serves.replace(".", "/")}`;
  const handle = async (ctx: RequestContext): Promise<void> => {
    const form = readImageForm(ctx.body, ctx.req.headers["content-type"], kind);
    const name = form.model ?? DEFAULT_MODEL;
    const model = resolveModel(ctx, name);
    checkCapabilities(model, IMAGE_EDIT_NEEDS);
    await servePipeline(ctx, {
      endpoint: serves,
      modelName: name,
      model,
      stream: false,
      promptTokens: Math.ceil((form.prompt?.length ?? 0) / 4),
      maxTokens: undefined,
      units: { images: form.n },
      exchange: (t, target) => {
        const adapter = t.live.adapter;
        const ep = multipartEndpointOf(adapter, serves);
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
  };
  return {
    method: "POST",
    path: `/v1${path}`,
    auth: true,
    body: "multipart",
    llmType: "image",
    serves,
    answers: ["json"],
    usage: { ingress: "openai-images", endpoint: serves, estimate: "none" },
    handle,
  };
}

/** GET /v1/images/models: the image models this key may use, in OpenAI's list format. */
export function handleImageModels(ctx: RequestContext): void {
  const data = visibleModels(ctx, "image").map(modelObject);
  sendJson(ctx.res, 200, JSON.stringify({ object: "list", data }), { "x-request-id": ctx.id });
}

/** The image endpoints besides generations (a JSON passthrough, passthrough.ts). */
export function imageEndpoints(): Endpoint[] {
  return [
    imageFormEndpoint("images.edits", "edits"),
    imageFormEndpoint("images.variations", "variations"),
    { method: "GET", path: "/v1/images/models", auth: true, handle: handleImageModels },
  ];
}
