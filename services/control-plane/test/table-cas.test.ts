import { createSigner, kvContext, parseMasterKey } from "@ai-router/contracts";
import { type KV, Kvm } from "@nats-io/kv";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { putIfNewer, type TableSigner } from "../src/nats/table-cas.js";
import { MASTER_KEY, NATS_URL, uniqueName } from "./helpers.js";

let nc: NatsConnection;
let kv: KV;
let signer: TableSigner;

const table = (revision: number) => JSON.stringify({ revision, note: `table ${revision}` });
const current = async () => {
  const e = await kv.get("table");
  const v = e ? signer.verify(e.value) : undefined;
  return v?.ok ? (JSON.parse(v.payload) as { revision: number }).revision : undefined;
};

beforeAll(async () => {
  nc = await connect({ servers: NATS_URL });
  const bucket = uniqueName("cp_cas");
  kv = await new Kvm(nc).create(bucket, { history: 5 });
  const s = createSigner(parseMasterKey(MASTER_KEY));
  const ctx = kvContext(bucket, "table");
  signer = { sign: (d) => s.sign(d, ctx), verify: (e) => s.verify(e, ctx) };
});
afterAll(async () => {
  await kv?.destroy().catch(() => {});
  await nc?.close();
});

describe("publishing a routing table with compare-and-set (several control planes)", () => {
  it("puts into an empty bucket, replaces an older table, and never overwrites a newer one", async () => {
    expect(await putIfNewer(kv, 6, table(6), signer)).toBe("put");
    expect(await current()).toBe(6);
    // A slow control plane arrives with an older compile: the bucket keeps the newer table.
    expect(await putIfNewer(kv, 5, table(5), signer)).toBe("superseded");
    expect(await current()).toBe(6);
    expect(await putIfNewer(kv, 6, table(6), signer)).toBe("superseded");
    expect(await putIfNewer(kv, 7, table(7), signer)).toBe("put");
    expect(await current()).toBe(7);
  });

  it("ends with the highest revision whatever order racing publishers land in", async () => {
    for (let base = 100; base < 130; base += 3) {
      const results = await Promise.all([
        putIfNewer(kv, base + 2, table(base + 2), signer),
        putIfNewer(kv, base + 1, table(base + 1), signer),
        putIfNewer(kv, base, table(base), signer),
      ]);
      expect(results).toContain("put");
      expect(await current()).toBe(base + 2);
    }
  });

  it("puts over a forged entry whatever revision it claims (an unsigned or foreign-key table)", async () => {
    await kv.put("table", table(10_000));
    expect(await putIfNewer(kv, 150, table(150), signer)).toBe("put");
    expect(await current()).toBe(150);
    const foreign = createSigner(Buffer.alloc(32, 7)).sign(table(20_000), kvContext("x", "table"));
    await kv.put("table", foreign);
    expect(await putIfNewer(kv, 151, table(151), signer)).toBe("put");
    expect(await current()).toBe(151);
  });

  it("publishes over a deleted entry", async () => {
    await kv.delete("table");
    expect(await putIfNewer(kv, 200, table(200), signer)).toBe("put");
    expect(await current()).toBe(200);
  });
});
