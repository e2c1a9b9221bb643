import { randomBytes } from "node:crypto";
import { pipeline } from "node:stream/promises";
import { RouterError } from "@ai-router/errors";
import type { Endpoint } from "../endpoints/endpoint.js";
import type { RequestContext } from "../handlers/context.js";
import { sendJson } from "../http/respond.js";
import { type FilePurpose, type FileStore, fileObject, type StoredFile } from "./file-store.js";
import { DEFAULT_FILE_LIMITS, receiveUpload } from "./upload-form.js";

export interface FilesOptions {
  store: FileStore;
  /** Largest file per purpose (defaults: OpenAI's). */
  limits?: Partial<Record<FilePurpose, number>>;
}

/** A new id in OpenAI's shape: a prefix and 24 random letters and digits. */
export function newObjectId(prefix: string): string {
  return `${prefix}${randomBytes(18).toString("base64url").replace(/[-_]/g, "x")}`;
}

/** Who owns what a request creates: its client key (id, or name standalone); "" when keys are off. */
export const ownerOf = (ctx: RequestContext): string => ctx.record.keyId ?? "";

const notFound = (id: string) => new RouterError("not_found", `No such File object: ${id.slice(0, 80)}`, { param: "id", publicCode: null });

/** A file the request's key owns (any other key's file is a 404, as if it did not exist). */
export async function ownedFile(store: FileStore, ctx: RequestContext, id: string): Promise<StoredFile> {
  const f = await store.meta(id);
  if (f === undefined || f.owner !== ownerOf(ctx)) throw notFound(id);
  return f;
}

/** A listing's `limit` (1-10000, default 10000 as OpenAI's) and `after`, `order`, `purpose`. */
export function listQuery(ctx: RequestContext, max = 10_000, dflt = 10_000) {
  const url = ctx.req.url ?? "";
  const q = new URLSearchParams(url.includes("?") ? url.slice(url.indexOf("?") + 1) : "");
  const limitText = q.get("limit");
  const limit = limitText === null ? dflt : Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > max) {
    throw new RouterError("invalid_request", `\`limit\` must be an integer from 1 to ${max}.`, { param: "limit" });
  }
  const order = q.get("order") ?? "desc";
  if (order !== "asc" && order !== "desc") throw new RouterError("invalid_request", "`order` must be asc or desc.", { param: "order" });
  const after = q.get("after")?.slice(0, 128) || undefined;
  const purpose = q.get("purpose")?.slice(0, 64) || undefined;
  return { limit, order: order as "asc" | "desc", after, purpose };
}

/** OpenAI's list envelope over one page (the store returns one extra item when there are more). */
export function listPage<T extends { id: string }>(items: T[], limit: number) {
  const data = items.slice(0, limit);
  return { object: "list", data, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null, has_more: items.length > limit };
}

/**
 * OpenAI's Files API: upload (multipart, streamed to the store), list, retrieve, content (streamed),
 * delete. Every file belongs to the client key that uploaded it; other keys get a 404.
 */
export function filesEndpoints(opts: FilesOptions): Endpoint[] {
  const { store } = opts;
  const limits = Object.assign({}, DEFAULT_FILE_LIMITS, opts.limits);
  return [
    {
      method: "POST",
      path: "/v1/files",
      auth: true,
      async handle(ctx) {
        const id = newObjectId("file-");
        const up = await receiveUpload(ctx.req, store, id, limits);
        const now = Date.now();
        const f: StoredFile = { id, owner: ownerOf(ctx), created_at: Math.floor(now / 1000), created_ms: now, ...up };
        await store.saveMeta(f);
        sendJson(ctx.res, 200, JSON.stringify(fileObject(f)), { "x-request-id": ctx.id });
      },
    },
    {
      method: "GET",
      path: "/v1/files",
      auth: true,
      async handle(ctx) {
        const q = listQuery(ctx);
        const page = await store.list({ owner: ownerOf(ctx), ...q });
        sendJson(ctx.res, 200, JSON.stringify(listPage(page.map(fileObject), q.limit)), { "x-request-id": ctx.id });
      },
    },
    {
      method: "GET",
      path: "/v1/files/*",
      auth: true,
      async handle(ctx, rest) {
        const content = rest.endsWith("/content");
        const id = content ? rest.slice(0, -"/content".length) : rest;
        if (id.includes("/")) throw notFound(id);
        const f = await ownedFile(store, ctx, id);
        if (!content) {
          sendJson(ctx.res, 200, JSON.stringify(fileObject(f)), { "x-request-id": ctx.id });
          return;
        }
        const body = await store.read(id);
        if (body === undefined) throw notFound(id);
        ctx.res.writeHead(200, {
          "content-type": "application/octet-stream",
          "content-length": String(f.bytes),
          "x-request-id": ctx.id,
        });
        await pipeline(body, ctx.res).catch(() => ctx.res.destroy());
      },
    },
    {
      method: "DELETE",
      path: "/v1/files/*",
      auth: true,
      async handle(ctx, id) {
        await ownedFile(store, ctx, id);
        await store.remove(id);
        sendJson(ctx.res, 200, JSON.stringify({ id, object: "file", deleted: true }), { "x-request-id": ctx.id });
      },
    },
  ];
}
