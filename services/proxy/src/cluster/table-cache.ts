import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import type { Signer } from "@ai-router/contracts";

export type CachedTable = { ok: true; table: unknown } | { ok: false; reason: string };

/**
 * The last good table on local disk, so a replica can boot and serve while NATS is down. The file holds
 * the signed entry as published (provider keys still sealed), written atomically (temp file + rename),
 * mode 0600; it is verified like a table from NATS before use.
 */
export class TableCache {
  constructor(readonly path: string) {}

  /** The cached table; undefined when there is no cache file. */
  read(verify: Signer["verify"], context: string): CachedTable | undefined {
    let raw: Buffer;
    try {
      raw = readFileSync(this.path);
    } catch {
      return undefined;
    }
    const v = verify(raw, context);
    if (!v.ok) return { ok: false, reason: v.reason };
    try {
      return { ok: true, table: JSON.parse(v.payload) };
    } catch {
      return { ok: false, reason: "not valid JSON" };
    }
  }

  write(envelope: string): void {
    mkdirSync(dirname(this.path), { recursive: true });
    const tmp = `${this.path}.${process.pid}.tmp`;
    writeFileSync(tmp, envelope, { mode: 0o600 });
    renameSync(tmp, this.path);
  }
}
