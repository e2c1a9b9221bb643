import { createReadStream } from "node:fs";
import { appendFile, mkdir, readdir, readFile, rename, rm, stat, truncate, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { createdMs } from "../files/file-store.js";
import { BatchState, type BatchStore, FINAL } from "./batch-state.js";

const SAFE_ID = /^[A-Za-z0-9_-]{1,128}$/;

/**
 * Batches in a local folder (standalone): `<id>.json` (the state, replaced atomically) and
 * `<id>.results.jsonl` (one line per finished request, appended). A crash leaves at most a torn last
 * results line, cut off when the batch resumes, so every `custom_id` is written exactly once.
 */
export class LocalBatchStore implements BatchStore {
  private ready: Promise<void> | undefined;
  private readonly cache = new Map<string, BatchState>();
  private readonly writes = new Map<string, Promise<void>>();

  constructor(private readonly dir: string) {}

  private open(): Promise<void> {
    this.ready ??= (async () => {
      // The folder is made by the first save: a proxy that never runs a batch leaves no trace.
      const names = await readdir(this.dir).catch(() => [] as string[]);
      for (const name of names) {
        if (!name.endsWith(".json")) continue;
        try {
          const b = BatchState.safeParse(JSON.parse(await readFile(join(this.dir, name), "utf8")));
          if (b.success) this.cache.set(b.data.id, b.data);
        } catch {
          // A torn state file: the batch was never acknowledged to its client.
        }
      }
    })();
    return this.ready;
  }

  private path(id: string, ext: string): string {
    if (!SAFE_ID.test(id)) throw new Error("unsafe batch id");
    return join(this.dir, `${id}${ext}`);
  }

  /**
   * Saves a batch: in memory at once (the latest save wins), on disk in order, one write at a time per
   * batch, each replacing the file atomically.
   */
  async save(b: BatchState): Promise<void> {
    await this.open();
    const p = this.path(b.id, ".json");
    this.cache.set(b.id, structuredClone(b));
    const prev = this.writes.get(b.id) ?? mkdir(this.dir, { recursive: true }).then(() => {});
    const next = prev.then(async () => {
      await writeFile(`${p}.part`, JSON.stringify(this.cache.get(b.id)));
      await rename(`${p}.part`, p);
    });
    this.writes.set(
      b.id,
      next.catch(() => {}),
    );
    await next;
  }

  async get(id: string): Promise<BatchState | undefined> {
    await this.open();
    const b = this.cache.get(id);
    return b && structuredClone(b);
  }

  async list(owner: string | undefined, after: string | undefined, limit: number): Promise<BatchState[]> {
    await this.open();
    const all = [...this.cache.values()]
      .filter((b) => owner === undefined || b.owner === owner)
      .sort((a, b) => createdMs(b) - createdMs(a) || (a.id < b.id ? 1 : -1));
    const from = after === undefined ? 0 : all.findIndex((b) => b.id === after) + 1;
    return all.slice(from, from + limit + 1).map((b) => structuredClone(b));
  }

  async unfinished(): Promise<BatchState[]> {
    await this.open();
    return [...this.cache.values()].filter((b) => !FINAL.has(b.status)).map((b) => structuredClone(b));
  }

  async appendResult(id: string, line: string): Promise<void> {
    await appendFile(this.path(id, ".results.jsonl"), `${line}\n`);
  }

  async dropResults(id: string): Promise<void> {
    await rm(this.path(id, ".results.jsonl"), { force: true });
  }

  async remove(id: string): Promise<void> {
    await this.open();
    const p = this.path(id, ".json");
    this.cache.delete(id);
    // After any save still being written, so none brings the file back.
    await this.writes.get(id);
    this.writes.delete(id);
    await rm(p, { force: true });
    await this.dropResults(id);
  }

  async *results(id: string): AsyncIterable<string> {
    const p = this.path(id, ".results.jsonl");
    const size = await stat(p).then(
      (s) => s.size,
      () => -1,
    );
    if (size <= 0) return;
    // Cut a torn last line (a crash mid-append) so a rerun of that request appends cleanly.
    const tail = Buffer.alloc(1);
    const fh = await import("node:fs/promises").then((m) => m.open(p, "r"));
    let end = size;
    try {
      for (; end > 0; end--) {
        await fh.read(tail, 0, 1, end - 1);
        if (tail[0] === 0x0a) break;
      }
    } finally {
      await fh.close();
    }
    if (end < size) await truncate(p, end);
    if (end === 0) return;
    for await (const line of createInterface({ input: createReadStream(p, { end: end - 1 }), crlfDelay: Infinity })) {
      if (line) yield line;
    }
  }
}
