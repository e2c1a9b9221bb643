import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { BATCH_LINE_SECRET_CONTEXT, type TableClientKey } from "@ai-router/contracts";
import { RouterError } from "@ai-router/errors";
import type { RuntimeTable } from "../routing/runtime-table.js";

/** The secret of batch lines in a cluster: derived from the master key, the same on every replica and worker. */
export function batchLineSecret(masterKey: Buffer): Buffer {
  return createHmac("sha256", masterKey).update(BATCH_LINE_SECRET_CONTEXT).digest();
}

/** The header a batch line carries into the router's own front door (instead of the client's key). */
export const BATCH_HEADER = "x-router-batch";

/**
 * Lets the batch runner send a line through the normal request path as the client key that owns the
 * batch: the line carries `<batch id>.<owner, base64url>.<HMAC>` signed with a secret that never leaves
 * this process (standalone), or one every replica and health worker derive from `ROUTER_MASTER_KEY`
 * (cluster mode, `batchLineSecret`), so no client can forge it (a wrong one is a 401 like a wrong key).
 */
export class BatchAuth {
  private readonly byOwner = new WeakMap<RuntimeTable, Map<string, TableClientKey>>();

  constructor(private readonly secret: Buffer = randomBytes(32)) {}

  token(batchId: string, owner: string): string {
    const o = Buffer.from(owner).toString("base64url");
    return `${batchId}.${o}.${this.mac(batchId, o)}`;
  }

  private mac(batchId: string, owner64: string): string {
    return createHmac("sha256", this.secret).update(`${batchId}.${owner64}`).digest("base64url");
  }

  /** The owning key of a signed line (undefined without client keys), and its batch id; throws on a bad token. */
  verify(token: string | string[], table: RuntimeTable): { key: TableClientKey | undefined; batchId: string } {
    const parts = typeof token === "string" ? token.split(".") : [];
    const [batchId, owner64, mac] = parts;
    const expected = batchId !== undefined && owner64 !== undefined ? Buffer.from(this.mac(batchId, owner64)) : undefined;
    if (
      parts.length !== 3 ||
      expected === undefined ||
      mac === undefined ||
      mac.length !== expected.length ||
      !timingSafeEqual(Buffer.from(mac), expected)
    ) {
      throw new RouterError("invalid_api_key", "Invalid batch credentials.");
    }
    const owner = Buffer.from(owner64 as string, "base64url").toString();
    if (!table.authRequired) return { key: undefined, batchId: batchId as string };
    const key = this.keyOf(owner, table);
    // The owning key was deleted or expired since the batch started: its lines are refused like it.
    if (key === undefined || (key.expiresAt !== undefined && key.expiresAt <= Date.now())) {
      throw new RouterError("invalid_api_key", "The API key that owns this batch no longer exists.");
    }
    return { key, batchId: batchId as string };
  }

  /** The client key named by an owner (its id, or name standalone). */
  keyOf(owner: string, table: RuntimeTable): TableClientKey | undefined {
    let keys = this.byOwner.get(table);
    if (keys === undefined) {
      keys = new Map();
      for (const k of table.clientKeys.values()) keys.set(k.id ?? k.name, k);
      this.byOwner.set(table, keys);
    }
    return keys.get(owner);
  }
}
