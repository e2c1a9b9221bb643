import { Readable } from "node:stream";
import { RouterError } from "@ai-router/errors";
import { z } from "zod";
import type { Endpoint } from "../endpoints/endpoint.js";
import type { RequestContext } from "../handlers/context.js";
import { sendJson } from "../http/respond.js";
import { FILE_PURPOSES, type FilePurpose, type FileStore, fileObject } from "./file-store.js";
import { newObjectId, ownerOf } from "./files-endpoints.js";
import { JsonlCheck } from "./jsonl-check.js";
import { cleanFilename, DEFAULT_FILE_LIMITS, receiveUpload } from "./upload-form.js";
import { dropParts, loadUpload, partOf, partOwner, partsOf, saveUpload, type Upload } from "./upload-state.js";

/** OpenAI's bounds: a part up to 64 MB, an upload up to 8 GB (and the purpose's own limit), open for an hour. */
const PART_MAX = 64 * 1024 * 1024;
const UPLOAD_TTL_S = 3600;

const CreateUpload = z.object({
  filename: z.string().min(1).max(1024),
  purpose: z.enum(FILE_PURPOSES.filter((p) => p !== "batch_output" && p !== "fine-tune-results") as [FilePurpose, ...FilePurpose[]]),
  bytes: z.number().int().min(1),
  mime_type: z.string().max(255),
});
const CompleteUpload = z.object({ part_ids: z.array(z.string().max(128)).min(1).max(10_000), md5: z.string().max(64).optional() });

const uploadObject = (u: Upload) => ({
  id: u.id,
  object: "upload",
  bytes: u.bytes,
  created_at: u.created_at,
  filename: u.filename,
  purpose: u.purpose,
  status: u.status,
  expires_at: u.expires_at,
  file: u.file && fileObject(u.file),
});

/**
 * OpenAI's Uploads API, for files sent in parts: create, add parts (multipart `data`, each streamed to
 * the store), complete (the parts joined in the given order into one file, streamed, checked as an
 * upload of its purpose), cancel. Parts are stored under an owner no client key has, so no listing
 * shows them. An upload's state is kept in the store too (under an owner no key has), so any replica
 * takes its parts and a restart keeps it (an hour, as OpenAI's); each part names its upload.
 */
export function uploadsEndpoints(store: FileStore, limits: Record<FilePurpose, number>): Endpoint[] {
  const pending = async (ctx: RequestContext, id: string) => {
    const u = await loadUpload(store, id);
    if (u === undefined || u.owner !== ownerOf(ctx))
      throw new RouterError("not_found", `No such Upload: ${id.slice(0, 80)}`, { publicCode: null });
    if (u.status === "pending" && Date.now() / 1000 > u.expires_at) u.status = "expired";
    if (u.status !== "pending") throw new RouterError("invalid_request", `The upload is ${u.status}.`);
    return u;
  };
  const send = (ctx: RequestContext, body: unknown) => sendJson(ctx.res, 200, JSON.stringify(body), { "x-request-id": ctx.id });
  return [
    {
      method: "POST",
      path: "/v1/uploads",
      auth: true,
      body: "json",
      schema: CreateUpload,
      async handle(ctx) {
        const req = ctx.valid as z.infer<typeof CreateUpload>;
        const max = Math.min(limits[req.purpose], 8 * 1024 ** 3);
        if (req.bytes > max)
          throw new RouterError("body_too_large", `Files for purpose ${req.purpose} may be at most ${max} bytes.`, { param: "bytes" });
        const now = Math.floor(Date.now() / 1000);
        const u: Upload = {
          id: newObjectId("upload_"),
          owner: ownerOf(ctx),
          filename: cleanFilename(req.filename),
          purpose: req.purpose,
          bytes: req.bytes,
          created_at: now,
          expires_at: now + UPLOAD_TTL_S,
          status: "pending",
          file: null,
        };
        await saveUpload(store, u);
        send(ctx, uploadObject(u));
      },
    },
    {
      method: "POST",
      path: "/v1/uploads/*",
      auth: true,
      async handle(ctx, rest) {
        const [id = "", action, more] = rest.split("/");
        if (more !== undefined || (action !== "parts" && action !== "complete" && action !== "cancel")) {
          throw new RouterError("not_found", `Unknown request URL: POST /v1/uploads/${rest.slice(0, 80)}`, { publicCode: "unknown_url" });
        }
        const u = await pending(ctx, id);
        if (action === "cancel") {
          u.status = "cancelled";
          await saveUpload(store, u);
          await dropParts(store, u);
          return send(ctx, uploadObject(u));
        }
        if (action === "parts") {
          const partId = newObjectId("part_");
          const got = await receiveUpload(
            ctx.req,
            store,
            partId,
            Object.assign({}, DEFAULT_FILE_LIMITS, { user_data: PART_MAX }),
            "data",
            "user_data",
          );
          const now = Math.floor(Date.now() / 1000);
          await store.saveMeta({
            id: partId,
            owner: partOwner(u),
            bytes: got.bytes,
            created_at: now,
            filename: partOf(u),
            purpose: "user_data",
          });
          return send(ctx, { id: partId, object: "upload.part", created_at: now, upload_id: u.id });
        }
        const body = CompleteUpload.safeParse(await readJson(ctx));
        if (!body.success) throw new RouterError("invalid_request", "`part_ids` must list the upload's parts.", { param: "part_ids" });
        const ids = body.data.part_ids;
        const parts = new Map((await partsOf(store, u)).map((p) => [p.id, p.bytes]));
        if (ids.some((p) => !parts.has(p)) || new Set(ids).size !== ids.length) {
          throw new RouterError("invalid_request", "`part_ids` names a part that is not this upload's, or one twice.", {
            param: "part_ids",
          });
        }
        const total = ids.reduce((n, p) => n + (parts.get(p) ?? 0), 0);
        if (total !== u.bytes)
          throw new RouterError("invalid_request", `The parts hold ${total} bytes; the upload said ${u.bytes}.`, { param: "part_ids" });
        const check = u.purpose === "batch" || u.purpose === "fine-tune" ? new JsonlCheck(u.purpose) : undefined;
        async function* joined() {
          for (const p of ids) {
            const part = await store.read(p);
            if (part === undefined) throw new Error("part gone");
            for await (const c of part) {
              check?.push(c as Buffer);
              yield c as Buffer;
            }
          }
        }
        const fileId = newObjectId("file-");
        const bytes = await store.write(fileId, Readable.from(joined()));
        const problem = check?.end();
        if (problem !== undefined) {
          await store.remove(fileId);
          throw new RouterError("invalid_request", `Invalid file for purpose ${u.purpose}: ${problem}.`, { param: "part_ids" });
        }
        const now = Date.now();
        u.file = {
          id: fileId,
          owner: u.owner,
          bytes,
          created_at: Math.floor(now / 1000),
          created_ms: now,
          filename: u.filename,
          purpose: u.purpose,
        };
        await store.saveMeta(u.file);
        u.status = "completed";
        await saveUpload(store, u);
        await dropParts(store, u);
        send(ctx, uploadObject(u));
      },
    },
  ];
}

/** A small JSON body read by the handler (the endpoint takes multipart parts too, so it declares none). */
async function readJson(ctx: RequestContext): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of ctx.req) {
    size += (c as Buffer).length;
    if (size > 1024 * 1024) throw new RouterError("body_too_large", "The body is too large.");
    chunks.push(c as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    throw new RouterError("invalid_json", "The body is not valid JSON.");
  }
}
