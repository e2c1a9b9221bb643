import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

/**
 * The last good table on local disk, so a replica can boot and serve while NATS is down. The file holds
 * the table as published (provider keys still sealed), written atomically (temp file + rename), mode 0600.
 */
export class TableCache {
  constructor(readonly path: string) {}

  read(): unknown | undefined {
    try {
      return JSON.parse(readFileSync(this.path, "utf8"));
    } catch {
      return undefined;
    }
  }

  write(raw: string): void {
    mkdirSync(dirname(this.path), { recursive: true });
    const tmp = `${this.path}.${process.pid}.tmp`;
    writeFileSync(tmp, raw, { mode: 0o600 });
    renameSync(tmp, this.path);
  }
}
