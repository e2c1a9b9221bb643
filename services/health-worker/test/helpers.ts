import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { compileConfig, parseConfig } from "@ai-router/config";
import { createSigner, encryptSecret, kvContext, nats, natsSubjects, ProbeReport, type RoutingTable } from "@ai-router/contracts";
import { uniqueName } from "@ai-router/testing";
import { type KV, Kvm } from "@nats-io/kv";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { Redis } from "ioredis";

export const NATS_URL = process.env.TEST_NATS_URL ?? "nats://127.0.0.1:4222";
export const REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
export const MASTER_KEY = randomBytes(32).toString("hex");
/** Signs tables and opens reports as the cluster's services do (ROUTER_MASTER_KEY). */
export const signer = createSigner(Buffer.from(MASTER_KEY, "hex"));
export const workerMain = fileURLToPath(new URL("../dist/main.js", import.meta.url));
export { type ServiceProcess, spawnService, uniqueName, waitFor } from "@ai-router/testing";

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A routing table compiled from router.yaml-shaped config, provider keys sealed under MASTER_KEY (as the control plane publishes). */
export function sealedTable(config: object, revision: number): RoutingTable {
  const { table } = compileConfig(parseConfig(JSON.stringify(config), "test-config", {}), revision);
  const key = Buffer.from(MASTER_KEY, "hex");
  for (const p of table.providers) p.apiKeys = p.apiKeys.map((k) => encryptSecret(k, key));
  return table;
}

/** A test's own KV bucket, its health reports, and cleanup of everything the worker wrote in Redis. */
export interface TestBus {
  nc: NatsConnection;
  kv: KV;
  redis: Redis;
  bucket: string;
  reports: ProbeReport[];
  /** Messages on the health subject that were not validly signed ProbeReports. */
  invalid: string[];
  putTable(table: RoutingTable): Promise<void>;
  dispose(): Promise<void>;
}

export async function createTestBus(prefix: string): Promise<TestBus> {
  const bucket = uniqueName(prefix);
  const nc = await connect({ servers: NATS_URL });
  const kv = await new Kvm(nc).create(bucket, { history: 5 });
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 2 });
  const reports: ProbeReport[] = [];
  const invalid: string[] = [];
  const subject = natsSubjects.health(bucket);
  nc.subscribe(subject, {
    callback: (_err, msg) => {
      const v = signer.verify(msg.data, subject);
      if (!v.ok) return void invalid.push(msg.string());
      const r = ProbeReport.safeParse(JSON.parse(v.payload));
      if (r.success) reports.push(r.data);
      else invalid.push(msg.string());
    },
  });
  await nc.flush();
  return {
    nc,
    kv,
    redis,
    bucket,
    reports,
    invalid,
    async putTable(table) {
      await kv.put(nats.routingKey, signer.sign(JSON.stringify(table), kvContext(bucket, nats.routingKey)));
    },
    async dispose() {
      await kv.destroy().catch(() => {});
      await nc.close().catch(() => {});
      await redis.del(...(await bucketKeys(redis, bucket)), "nothing");
      redis.disconnect();
    },
  };
}

/** Every Redis key the worker wrote for a bucket (queue and results share the `ai-router:{bucket}:` prefix). */
export async function bucketKeys(redis: Redis, bucket: string): Promise<string[]> {
  const out: string[] = [];
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", `ai-router:${bucket}:*`, "COUNT", 1000);
    cursor = next;
    out.push(...keys);
  } while (cursor !== "0");
  return out;
}
