import { z } from "zod";
import { notFound, parseQuery } from "../http/errors.js";
import { audit } from "./audit.js";
import { type ApiContext, actor } from "./context.js";

const tag = "offline";

const FilesQuery = z
  .object({
    purpose: z.string().max(64).optional(),
    after: z.string().max(128).optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(100),
  })
  .strict();

/** A file of the Files API as the console lists it: OpenAI's file object with its owner key. */
const AdminFileOut = z.object({
  id: z.string(),
  object: z.literal("file"),
  bytes: z.number().int(),
  created_at: z.number().int(),
  filename: z.string(),
  purpose: z.string(),
  status: z.literal("processed"),
  owner: z.string().describe("The owning client key's name (its id when the key is gone)"),
  owner_key_id: z.string().describe("The owning client key's id as the proxies store it"),
});

const FileIdParam = z.string().regex(/^[A-Za-z0-9_-]{1,128}$/);

/**
 * The Files API's files that the proxies keep in PostgreSQL (`router_files`, cluster mode), for the
 * console: every key's files with their owner, the bytes streamed one chunk row at a time, delete.
 */
export function offlineFileRoutes(ctx: ApiContext): void {
  const { api, prisma } = ctx;
  const fileId = (raw: unknown) => {
    const r = FileIdParam.safeParse(raw);
    if (!r.success) throw notFound("File");
    return r.data;
  };

  api.route(
    {
      method: "get",
      path: "/v1/admin/files",
      tag,
      summary: "List every client key's files (newest first)",
      query: {
        purpose: { description: "Only files of this purpose (batch, fine-tune, ...)", schema: z.string() },
        after: { description: "The last file id of the previous page", schema: z.string() },
        limit: { description: "1-1000, default 100", schema: z.number().int() },
      },
      response: z.object({ object: z.literal("list"), data: z.array(AdminFileOut), has_more: z.boolean() }),
    },
    async (req) => {
      const q = parseQuery(FilesQuery, req);
      const cursor = q.after ? await prisma.routerFile.findUnique({ where: { id: q.after }, select: { createdMs: true } }) : null;
      const rows = await prisma.routerFile.findMany({
        where: {
          complete: true,
          ...(q.purpose ? { purpose: q.purpose } : {}),
          // After the cursor in (created, id) order: a file of the same millisecond is not skipped.
          ...(cursor && q.after
            ? { OR: [{ createdMs: { lt: cursor.createdMs } }, { createdMs: cursor.createdMs, id: { lt: q.after } }] }
            : {}),
        },
        orderBy: [{ createdMs: "desc" }, { id: "desc" }],
        take: q.limit + 1,
      });
      const ids = [...new Set(rows.map((r) => Number(r.owner)).filter((n) => Number.isInteger(n) && n > 0))];
      const keys = ids.length > 0 ? await prisma.clientKey.findMany({ where: { id: { in: ids } }, select: { id: true, name: true } }) : [];
      const names = new Map(keys.map((k) => [String(k.id), k.name]));
      const data = rows.slice(0, q.limit).map((r) => ({
        id: r.id,
        object: "file" as const,
        bytes: Number(r.bytes),
        created_at: Math.floor(Number(r.createdMs) / 1000),
        filename: r.filename,
        purpose: r.purpose,
        status: "processed" as const,
        owner: names.get(r.owner) ?? r.owner,
        owner_key_id: r.owner,
      }));
      return { object: "list" as const, data, has_more: rows.length > q.limit };
    },
  );

  api.route(
    {
      method: "get",
      path: "/v1/admin/files/:id/content",
      tag,
      summary: "Download a file's bytes (streamed)",
      description: "Read one chunk row (at most 1 MiB) at a time: a large file never sits whole in memory.",
      errors: [404],
    },
    async (req, res) => {
      const id = fileId(req.params.id);
      const f = await prisma.routerFile.findUnique({ where: { id } });
      if (f === null || !f.complete) throw notFound("File");
      res.writeHead(200, {
        "content-type": "application/octet-stream",
        "content-length": String(f.bytes),
        "content-disposition": `attachment; filename="${f.filename.replace(/[^\w.-]/g, "_")}"`,
      });
      for (let seq = 0; ; seq++) {
        const chunk = await prisma.routerFileChunk.findUnique({ where: { fileId_seq: { fileId: id, seq } }, select: { data: true } });
        if (chunk === null || res.destroyed) break;
        if (!res.write(chunk.data)) await new Promise((r) => res.once("drain", r));
      }
      res.end();
    },
  );

  api.route(
    {
      method: "delete",
      path: "/v1/admin/files/:id",
      tag,
      summary: "Delete a file (for its owner too)",
      response: z.object({ id: z.string(), object: z.literal("file"), deleted: z.literal(true) }),
      errors: [404],
    },
    async (req) => {
      const id = fileId(req.params.id);
      const gone = await prisma.routerFile.deleteMany({ where: { id } });
      if (gone.count === 0) throw notFound("File");
      await audit(prisma, actor(ctx, req), "delete", "file", id);
      return { id, object: "file" as const, deleted: true as const };
    },
  );
}
