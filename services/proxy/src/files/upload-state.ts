import { Readable } from "node:stream";
import { z } from "zod";
import { FILE_PURPOSES, type FileStore, StoredFile } from "./file-store.js";

/**
 * A multipart upload's state and parts, kept in the file store under owners no client key has (so no
 * listing shows them): any replica takes its parts, a restart keeps it, and each part names its upload.
 */
export const UploadState = z.object({
  id: z.string(),
  owner: z.string(),
  filename: z.string(),
  purpose: z.enum(FILE_PURPOSES),
  bytes: z.number(),
  created_at: z.number(),
  expires_at: z.number(),
  status: z.enum(["pending", "completed", "cancelled", "expired"]),
  file: StoredFile.nullable(),
});
export type Upload = z.infer<typeof UploadState>;

/** Its largest state text (a cleaned filename is at most 255 characters). */
const MAX_STATE = 64 * 1024;
const STATE_OWNER = "upload-state:";

export const partOwner = (u: Upload) => `upload-part:${u.owner}`;
export const partOf = (u: Upload) => `part-of:${u.id}`;

export async function saveUpload(store: FileStore, u: Upload): Promise<void> {
  const text = Buffer.from(JSON.stringify(u));
  await store.write(u.id, Readable.from([text]));
  await store.saveMeta({
    id: u.id,
    owner: `${STATE_OWNER}${u.owner}`,
    bytes: text.length,
    created_at: u.created_at,
    filename: "upload",
    purpose: "user_data",
  });
}

export async function loadUpload(store: FileStore, id: string): Promise<Upload | undefined> {
  if (!id.startsWith("upload_") || (await store.meta(id))?.filename !== "upload") return undefined;
  const body = await store.read(id);
  if (body === undefined) return undefined;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of body) {
    size += (c as Buffer).length;
    if (size > MAX_STATE) return undefined;
    chunks.push(c as Buffer);
  }
  try {
    const u = UploadState.safeParse(JSON.parse(Buffer.concat(chunks).toString("utf8")));
    return u.success ? u.data : undefined;
  } catch {
    return undefined;
  }
}

/** The parts stored for an upload (whichever replica took them). */
export async function partsOf(store: FileStore, u: Upload) {
  const mine = await store.list({ owner: partOwner(u), limit: 10_000, order: "asc" });
  return mine.filter((f) => f.filename === partOf(u));
}

export async function dropParts(store: FileStore, u: Upload): Promise<void> {
  for (const p of await partsOf(store, u)) await store.remove(p.id);
}

/**
 * Removes uploads an hour past their expiry with their parts (never completed nor cancelled, or done):
 * idempotent, so every replica may run it. Returns how many it removed.
 */
export async function sweepUploads(store: FileStore, nowS = Math.floor(Date.now() / 1000)): Promise<number> {
  let removed = 0;
  let after: string | undefined;
  for (;;) {
    const page = await store.list({ owner: undefined, after, limit: 1000, order: "asc" });
    let last: string | undefined;
    for (const f of page.slice(0, 1000)) {
      last = f.id;
      if (!f.owner.startsWith(STATE_OWNER) || f.filename !== "upload") continue;
      const u = await loadUpload(store, f.id);
      if (u !== undefined && nowS <= u.expires_at + 3600) continue;
      if (u !== undefined) await dropParts(store, u);
      await store.remove(f.id);
      removed++;
      last = undefined;
    }
    if (page.length <= 1000) return removed;
    // The cursor is the page's last file still there (a removed one cannot be one); else the same page again.
    after = last ?? after;
  }
}
