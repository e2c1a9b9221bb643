import { Readable } from "node:stream";
import type pg from "pg";
import { type FileStore, type ListQuery, StoredFile } from "./file-store.js";

/** The most bytes one chunk row holds. */
export const CHUNK_BYTES = 1024 * 1024;

interface Row {
  id: string;
  owner: string;
  bytes: string;
  filename: string;
  purpose: string;
  created_ms: string;
}

const toFile = (r: Row): StoredFile =>
  StoredFile.parse({
    id: r.id,
    owner: r.owner,
    bytes: Number(r.bytes),
    filename: r.filename,
    purpose: r.purpose,
    created_ms: Number(r.created_ms),
    created_at: Math.floor(Number(r.created_ms) / 1000),
  });

/**
 * Files in PostgreSQL (`router_files`, `router_file_chunks`; migration 20261207160000_files_batches): the
 * bytes in rows of at most 1 MiB, written as they stream in and read back one row at a time, so no file
 * is ever whole in memory; every replica sees every file. A file is listed only once its metadata is
 * saved (`complete`): a crash mid-upload leaves a row no one sees.
 */
export class PgFileStore implements FileStore {
  constructor(private readonly pool: pg.Pool) {}

  async write(id: string, source: Readable): Promise<number> {
    await this.pool.query(
      `INSERT INTO router_files (id, owner, bytes, filename, purpose, created_ms, complete) VALUES ($1, '', 0, '', '', $2, false)
       ON CONFLICT (id) DO UPDATE SET complete = false`,
      [id, Date.now()],
    );
    await this.pool.query("DELETE FROM router_file_chunks WHERE file_id = $1", [id]);
    let seq = 0;
    let bytes = 0;
    let parts: Buffer[] = [];
    let held = 0;
    const flush = async (all: boolean) => {
      while (held >= CHUNK_BYTES || (all && held > 0)) {
        const joined = Buffer.concat(parts, held);
        const chunk = joined.subarray(0, Math.min(CHUNK_BYTES, held));
        const rest = joined.subarray(chunk.length);
        await this.pool.query("INSERT INTO router_file_chunks (file_id, seq, data) VALUES ($1, $2, $3)", [id, seq++, chunk]);
        parts = rest.length > 0 ? [rest] : [];
        held = rest.length;
      }
    };
    try {
      for await (const c of source) {
        const b = c as Buffer;
        bytes += b.length;
        parts.push(b);
        held += b.length;
        if (held >= CHUNK_BYTES) await flush(false);
      }
      await flush(true);
    } catch (err) {
      await this.pool.query("DELETE FROM router_files WHERE id = $1", [id]).catch(() => {});
      throw err;
    }
    return bytes;
  }

  async read(id: string): Promise<Readable | undefined> {
    if ((await this.meta(id)) === undefined) return undefined;
    const pool = this.pool;
    async function* chunks() {
      for (let seq = 0; ; seq++) {
        const r = await pool.query<{ data: Buffer }>("SELECT data FROM router_file_chunks WHERE file_id = $1 AND seq = $2", [id, seq]);
        const row = r.rows[0];
        if (row === undefined) return;
        yield row.data;
      }
    }
    return Readable.from(chunks());
  }

  async saveMeta(f: StoredFile): Promise<void> {
    await this.pool.query(
      `INSERT INTO router_files (id, owner, bytes, filename, purpose, created_ms, complete) VALUES ($1, $2, $3, $4, $5, $6, true)
       ON CONFLICT (id) DO UPDATE SET owner = $2, bytes = $3, filename = $4, purpose = $5, created_ms = $6, complete = true`,
      [f.id, f.owner, f.bytes, f.filename, f.purpose, f.created_ms ?? f.created_at * 1000],
    );
  }

  async meta(id: string): Promise<StoredFile | undefined> {
    const r = await this.pool.query<Row>("SELECT * FROM router_files WHERE id = $1 AND complete", [id]);
    return r.rows[0] && toFile(r.rows[0]);
  }

  async list(q: ListQuery): Promise<StoredFile[]> {
    const args: unknown[] = [];
    const where = ["complete"];
    if (q.owner !== undefined) where.push(`owner = $${args.push(q.owner)}`);
    if (q.purpose) where.push(`purpose = $${args.push(q.purpose)}`);
    const cmp = q.order === "asc" ? ">" : "<";
    if (q.after !== undefined) {
      const at = `(SELECT created_ms FROM router_files WHERE id = $${args.push(q.after)})`;
      where.push(`(created_ms, id) ${cmp} (${at}, $${args.length})`);
    }
    const dir = q.order === "asc" ? "ASC" : "DESC";
    const r = await this.pool.query<Row>(
      `SELECT * FROM router_files WHERE ${where.join(" AND ")} ORDER BY created_ms ${dir}, id ${dir} LIMIT $${args.push(q.limit + 1)}`,
      args,
    );
    return r.rows.map(toFile);
  }

  async remove(id: string): Promise<void> {
    await this.pool.query("DELETE FROM router_files WHERE id = $1", [id]);
  }
}
