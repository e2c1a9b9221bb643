import type { ServerResponse } from "node:http";
import {
  isMockForm,
  type MockForm,
  type OpenAIChatBody,
  openAIChunks,
  openAICompletion,
  openAIEmbeddings,
  openAIImageError,
  openAIImagesResponse,
  openAIModelList,
  planReply,
  sendOpenAIError,
} from "./openai.js";
import { type OpenAIResponsesBody, openAIResponse, openAIResponseEvents } from "./openai-responses.js";
import { PromptCache } from "./prompt-cache.js";
import type { MockRouteEntry } from "./server.js";

/** The OpenAI routes of the mock (chat, responses, embeddings, images, models). */
export const openAIRoutes: MockRouteEntry[] = [
  {
    method: "POST",
    suffix: "/responses",
    sendError: sendOpenAIError,
    async handle(ctx) {
      const body = ctx.body as OpenAIResponsesBody;
      if (body.stream) return ctx.writeStream(openAIResponseEvents(body, ctx.behavior));
      json(ctx.res, 200, openAIResponse(body, ctx.behavior), ctx.behavior.headers);
    },
  },
  {
    method: "POST",
    suffix: "/chat/completions",
    sendError: sendOpenAIError,
    async handle(ctx) {
      const body = ctx.body as OpenAIChatBody;
      const extra = ctx.behavior.rejectFields?.filter((f) => (body as unknown as Record<string, unknown>)[f] !== undefined) ?? [];
      if (extra.length > 0) {
        const detail = extra.map((f) => ({ type: "extra_forbidden", loc: ["body", f], msg: "Extra inputs are not permitted" }));
        return json(ctx.res, 422, { object: "error", message: { detail }, type: "invalid_request_error", param: null, code: null });
      }
      const plan = planReply(body, ctx.behavior);
      if (ctx.promptCache) plan.cachedTokens = ctx.promptCache.observe(PromptCache.keyOf(ctx.req), body);
      if (body.stream) return ctx.writeStream(openAIChunks(body, plan, ctx.behavior.streamUsage === "always"));
      json(ctx.res, 200, openAICompletion(body, plan), ctx.behavior.headers);
    },
  },
  {
    method: "POST",
    suffix: "/embeddings",
    sendError: sendOpenAIError,
    handle: (ctx) => json(ctx.res, 200, openAIEmbeddings(ctx.body as { model: string; input: unknown }), ctx.behavior.headers),
  },
  {
    method: "POST",
    suffix: "/images/generations",
    sendError: sendOpenAIError,
    handle(ctx) {
      const b = (ctx.body ?? {}) as { model?: string; prompt?: unknown; n?: number; response_format?: string };
      if (typeof b.prompt !== "string" || !b.prompt) {
        return json(ctx.res, 400, openAIImageError("Missing required parameter: 'prompt'.", "prompt", "missing_required_parameter"));
      }
      const model = b.model ?? "dall-e-2";
      const reply = { model, prompt: b.prompt, n: b.n, responseFormat: b.response_format, generation: true };
      json(ctx.res, 200, openAIImagesResponse(reply), ctx.behavior.headers);
    },
  },
  imageFormRoute("/images/edits", true),
  imageFormRoute("/images/variations", false),
  {
    method: "GET",
    suffix: "/models",
    sendError: sendOpenAIError,
    handle: (ctx) => json(ctx.res, 200, openAIModelList(ctx.models)),
  },
];

/** `/images/edits` and `/images/variations`: multipart only, like OpenAI. */
function imageFormRoute(suffix: string, needsPrompt: boolean): MockRouteEntry {
  return {
    method: "POST",
    suffix,
    sendError: sendOpenAIError,
    handle(ctx) {
      if (!isMockForm(ctx.body)) {
        const msg = "Invalid Content-Type header (application/json), expected multipart/form-data.";
        return json(ctx.res, 400, openAIImageError(ctx.body === MALFORMED ? "Malformed multipart body." : msg, null));
      }
      const form: MockForm = ctx.body;
      const images = form.files.filter((f) => f.field === "image" || f.field === "image[]");
      if (images.length === 0) return json(ctx.res, 400, openAIImageError("Missing required parameter: 'image'.", "image"));
      if (needsPrompt && !form.fields.prompt)
        return json(ctx.res, 400, openAIImageError("Missing required parameter: 'prompt'.", "prompt"));
      const { model = "dall-e-2", prompt, n, response_format } = form.fields;
      const reply = { model, n, echo: images[0]?.data, ...(prompt !== undefined ? { prompt } : {}) };
      json(
        ctx.res,
        200,
        openAIImagesResponse({ ...reply, ...(response_format ? { responseFormat: response_format } : {}) }),
        ctx.behavior.headers,
      );
    },
  };
}

/** Recorded as the body of a multipart request the platform parser refused. */
export const MALFORMED = "<malformed multipart>";

export function json(res: ServerResponse, status: number, obj: unknown, headers?: Record<string, string>): void {
  const body = JSON.stringify(obj);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(body), ...headers });
  res.end(body);
}
