import { RouterError } from "@ai-router/errors";
import type { Endpoint } from "../endpoints/endpoint.js";
import type { RequestContext } from "../handlers/context.js";
import { sendJson } from "../http/respond.js";
import type { ResponseStore } from "./store.js";

const notFound = (id: string) =>
  new RouterError("not_found", `Response with id '${id}' not found.`, { publicCode: "response_not_found", type: "invalid_request_error" });

/** Splits `{id}` or `{id}/input_items` from the path rest. */
function target(rest: string): { id: string; items: boolean } | undefined {
  const m = /^([A-Za-z0-9_-]{1,200})(\/input_items)?$/.exec(rest);
  return m ? { id: m[1] as string, items: m[2] !== undefined } : undefined;
}

/** `limit` (1-100, default 20), `order` (asc|desc, default desc) and `after` of a list request. */
function listQuery(url: string): { limit: number; order: "asc" | "desc"; after: string | undefined } {
  const q = new URLSearchParams(url.includes("?") ? url.slice(url.indexOf("?") + 1) : "");
  const limit = q.has("limit") ? Number(q.get("limit")) : 20;
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
    throw new RouterError("invalid_request", "Invalid 'limit': expected an integer between 1 and 100.", { param: "limit" });
  }
  const order = q.get("order") ?? "desc";
  if (order !== "asc" && order !== "desc") {
    throw new RouterError("invalid_request", "Invalid 'order': expected 'asc' or 'desc'.", { param: "order" });
  }
  return { limit, order, after: q.get("after") ?? undefined };
}

/** GET/DELETE /v1/responses/{id} and GET /v1/responses/{id}/input_items, visible only to the key that made it. */
export function storedResponseEndpoints(store: ResponseStore): Endpoint[] {
  const owner = (ctx: RequestContext) => ctx.key?.sha256 ?? "";
  return [
    {
      method: "GET",
      path: "/v1/responses/*",
      auth: true,
      async handle(ctx, rest) {
        const t = target(rest);
        if (!t) throw notFound(rest);
        const stored = await store.get(t.id, owner(ctx));
        if (!stored) throw notFound(t.id);
        const h = { "x-request-id": ctx.id };
        if (!t.items) return sendJson(ctx.res, 200, JSON.stringify(stored.response), h);
        const { limit, order, after } = listQuery(ctx.req.url ?? "");
        let items = order === "desc" ? [...stored.input].reverse() : stored.input;
        if (after) {
          const i = items.findIndex((x) => x.id === after);
          items = i >= 0 ? items.slice(i + 1) : items;
        }
        const data = items.slice(0, limit);
        const body = {
          object: "list",
          data,
          first_id: data[0]?.id ?? null,
          last_id: data[data.length - 1]?.id ?? null,
          has_more: items.length > limit,
        };
        sendJson(ctx.res, 200, JSON.stringify(body), h);
      },
    },
    {
      method: "DELETE",
      path: "/v1/responses/*",
      auth: true,
      async handle(ctx, rest) {
        const t = target(rest);
        if (!t || t.items || !(await store.delete(t.id, owner(ctx)))) throw notFound(t?.id ?? rest);
        sendJson(ctx.res, 200, JSON.stringify({ id: t.id, object: "response", deleted: true }), { "x-request-id": ctx.id });
      },
    },
  ];
}
