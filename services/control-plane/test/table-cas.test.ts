import { type KV, Kvm } from "@nats-io/kv";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { putIfNewer } from "../src/nats/table-publisher.js";
import { NATS_URL, uniqueName } from "./helpers.js";

let nc: NatsConnection;
let kv: KV;

const table = (revision: number) => JSON.stringify({ revision, note: `table ${revision}` });
const current = async () => ((await kv.get("table"))?.json() as { revision: number } | undefined)?.revision;

beforeAll(async () => {
  nc = await connect({ servers: NATS_URL });
  kv = await new Kvm(nc).create(uniqueName("cp_cas"), { history: 5 });
});
afterAll(async () => {
  await kv?.destroy().catch(() => {});
  await nc?.close();
});

describe("publishing a routing table with compare-and-set (several control planes)", () => {
  it("puts into an empty bucket, replaces an older table, and never overwrites a newer one", async () => {
    expect(await putIfNewer(kv, 6, table(6))).toBe("put");
    expect(await current()).toBe(6);
    // A slow control plane arrives with an older compile: the bucket keeps the newer table.
    expect(await putIfNewer(kv, 5, table(5))).toBe("superseded");
    expect(await current()).toBe(6);
    expect(await putIfNewer(kv, 6, table(6))).toBe("superseded");
    expect(await putIfNewer(kv, 7, table(7))).toBe("put");
    expect(await current()).toBe(7);
  });

  it("ends with the highest revision whatever order racing publishers land in", async () => {
    for (let base = 100; base < 130; base += 3) {
      const results = await Promise.all([
        putIfNewer(kv, base + 2, table(base + 2)),
        putIfNewer(kv, base + 1, table(base + 1)),
        putIfNewer(kv, base, table(base)),
      ]);
      expect(results).toContain("put");
      expect(await current()).toBe(base + 2);
    }
  });

  it("publishes over a deleted entry", async () => {
    await kv.delete("table");
    expect(await putIfNewer(kv, 200, table(200))).toBe("put");
    expect(await current()).toBe(200);
  });
});
