import type { RequestContext } from "../handlers/context.js";
import { parseJsonObject, readBody, readDecodedBody } from "../http/read-body.js";
import { validateBody } from "../http/validation.js";
import type { Endpoint } from "./endpoint.js";

/**
 * Reads a `json` or `multipart` body as the endpoint declares (endpoint.ts `BodyReader`) into the
 * request's context; `raw` bodies (the model ingresses) are read inline by the request handler, one
 * promise fewer on the hot path. A `json` body names its model in the request's record before it is
 * validated, so a rejected request is still recorded with it.
 */
export async function readEndpointBody(ctx: RequestContext, e: Endpoint): Promise<void> {
  const limit = ctx.table.settings.maxBodyBytes;
  if (e.body === "multipart") {
    ctx.body = await readBody(ctx.req, limit);
    return;
  }
  const raw = await readDecodedBody(ctx.req, limit);
  const json = parseJsonObject(raw);
  ctx.body = raw;
  ctx.json = json;
  ctx.record.noteModelOf(json);
  ctx.valid = e.schema ? validateBody(e.schema, json) : json;
}
