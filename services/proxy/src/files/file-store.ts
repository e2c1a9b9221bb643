import type { Readable } from "node:stream";
import { z } from "zod";

/** The purposes OpenAI's Files API accepts. */
export const FILE_PURPOSES = [
  "batch",
  "batch_output",
  "fine-tune",
  "fine-tune-results",
  "assistants",
  "vision",
  "user_data",
  "evals",
] as const;
export type FilePurpose = (typeof FILE_PURPOSES)[number];

/** A stored file's metadata, as kept by every store; read tolerantly (unknown fields ignored). */
export const StoredFile = z.object({
  id: z.string(),
  /** The client key that uploaded it (its id, or name in standalone); "" without client keys. */
  owner: z.string(),
  bytes: z.number().int().nonnegative(),
  created_at: z.number().int(),
  filename: z.string(),
  purpose: z.string(),
  expires_at: z.number().int().nullable().optional(),
  /** Creation time in ms, for a stable order within one second (absent: `created_at`). */
  created_ms: z.number().optional(),
});
export type StoredFile = z.infer<typeof StoredFile>;

export interface ListQuery {
  /** Only this owner's files (undefined: every owner, the admin view). */
  owner: string | undefined;
  purpose?: string | undefined;
  /** Files after this id in the listing's order (a cursor). */
  after?: string | undefined;
  limit: number;
  order: "asc" | "desc";
}

/**
 * Where files live: their bytes (written and read as streams, never whole in memory) and their metadata.
 * One interface, several stores (a local folder standalone; PostgreSQL or S3 in a cluster).
 */
export interface FileStore {
  /** Writes the bytes as they stream in; resolves with the count. On a source error nothing is left behind. */
  write(id: string, source: Readable): Promise<number>;
  /** The bytes as a stream (undefined: no such blob). */
  read(id: string): Promise<Readable | undefined>;
  saveMeta(file: StoredFile): Promise<void>;
  meta(id: string): Promise<StoredFile | undefined>;
  /** One page of files, newest first by default; one more than `limit` tells `has_more`. */
  list(q: ListQuery): Promise<StoredFile[]>;
  /** Removes the bytes and the metadata (a missing file is not an error). */
  remove(id: string): Promise<void>;
}

/** OpenAI's file object. */
export function fileObject(f: StoredFile) {
  return {
    id: f.id,
    object: "file" as const,
    bytes: f.bytes,
    created_at: f.created_at,
    filename: f.filename,
    purpose: f.purpose,
    status: "processed" as const,
    status_details: null,
    expires_at: f.expires_at ?? null,
  };
}

/** When an object was created, ms (for ordering listings). */
export const createdMs = (o: { created_at: number; created_ms?: number | undefined }) => o.created_ms ?? o.created_at * 1000;

/** Sorts and pages a set of files as a listing asks (shared by stores that list in memory). */
export function pageOf(files: Iterable<StoredFile>, q: ListQuery): StoredFile[] {
  const all = [...files].filter((f) => (q.owner === undefined || f.owner === q.owner) && (!q.purpose || f.purpose === q.purpose));
  const dir = q.order === "asc" ? 1 : -1;
  all.sort((a, b) => dir * (createdMs(a) - createdMs(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)));
  const from = q.after === undefined ? 0 : all.findIndex((f) => f.id === q.after) + 1;
  return all.slice(from, from + q.limit + 1);
}
