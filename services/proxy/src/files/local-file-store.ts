import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { type FileStore, type ListQuery, pageOf, StoredFile } from "./file-store.js";

const SAFE_ID = /^[A-Za-z0-9_-]{1,128}$/;

/**
 * Files in a local folder (the standalone default): `blobs/<id>` and `meta/<id>.json`. Bytes are
 * written to a temporary name and renamed once complete, so a crash leaves no half file under a real id.
 * The metadata is indexed in memory when the store opens (one process owns the folder).
 */
export class LocalFileStore implements FileStore {
  private index: Map<string, StoredFile> | undefined;
  private opening: Promise<Map<string, StoredFile>> | undefined;

  constructor(private readonly dir: string) {}

  private async open(): Promise<Map<string, StoredFile>> {
    if (this.index) return this.index;
    this.opening ??= (async () => {
      const index = new Map<string, StoredFile>();
      // The folders are made by the first upload: a proxy that stores no file leaves no trace.
      const names = await readdir(join(this.dir, "meta")).catch(() => [] as string[]);
      for (const name of names) {
        if (!name.endsWith(".json")) continue;
        try {
          const parsed = StoredFile.safeParse(JSON.parse(await readFile(join(this.dir, "meta", name), "utf8")));
          if (parsed.success) index.set(parsed.data.id, parsed.data);
        } catch {
          // A torn metadata file (crash mid-write) is skipped: its upload never completed.
        }
      }
      this.index = index;
      return index;
    })();
    return this.opening;
  }

  private made: Promise<void> | undefined;
  private folders(): Promise<void> {
    this.made ??= Promise.all([
      mkdir(join(this.dir, "blobs"), { recursive: true }),
      mkdir(join(this.dir, "meta"), { recursive: true }),
    ]).then(() => {});
    return this.made;
  }

  private blob(id: string): string {
    if (!SAFE_ID.test(id)) throw new Error(`unsafe file id ${JSON.stringify(id).slice(0, 40)}`);
    return join(this.dir, "blobs", id);
  }

  async write(id: string, source: Readable): Promise<number> {
    await this.open();
    await this.folders();
    const path = this.blob(id);
    const tmp = `${path}.part`;
    let bytes = 0;
    try {
      await pipeline(
        source,
        async function* (chunks: AsyncIterable<Buffer>) {
          for await (const c of chunks) {
            bytes += c.length;
            yield c;
          }
        },
        createWriteStream(tmp),
      );
      await rename(tmp, path);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
    return bytes;
  }

  async read(id: string): Promise<Readable | undefined> {
    const index = await this.open();
    if (!index.has(id)) return undefined;
    return createReadStream(this.blob(id));
  }

  async saveMeta(file: StoredFile): Promise<void> {
    const index = await this.open();
    const path = join(this.dir, "meta", `${file.id}.json`);
    this.blob(file.id);
    await this.folders();
    await writeFile(`${path}.part`, JSON.stringify(file));
    await rename(`${path}.part`, path);
    index.set(file.id, file);
  }

  async meta(id: string): Promise<StoredFile | undefined> {
    return (await this.open()).get(id);
  }

  async list(q: ListQuery): Promise<StoredFile[]> {
    return pageOf((await this.open()).values(), q);
  }

  async remove(id: string): Promise<void> {
    const index = await this.open();
    index.delete(id);
    if (!SAFE_ID.test(id)) return;
    await rm(join(this.dir, "meta", `${id}.json`), { force: true });
    await rm(this.blob(id), { force: true });
  }
}
