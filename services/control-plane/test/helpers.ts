import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { assembleTable, createSigner, kvContext, parseMasterKey, type UsageRecord } from "@ai-router/contracts";
import { type ServiceProcess, spawnService, uniqueName } from "@ai-router/testing";
import { createTestDatabase } from "./test-database.js";

export const NATS_URL = process.env.TEST_NATS_URL ?? "nats://127.0.0.1:4222";
export const NATS_SERVER_BIN = process.env.NATS_SERVER_BIN ?? "/usr/sbin/nats-server";
export const MASTER_KEY = randomBytes(32).toString("hex");
export const ADMIN_TOKEN = `test-admin-${randomBytes(12).toString("hex")}`;
export { closePool, createTestDatabase, PG_ADMIN_URL, testPool } from "./test-database.js";

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** A private JetStream server on a free port (fault tests stop it; the machine's shared server is never touched). */
export interface PrivateNats {
  url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  dispose(): Promise<void>;
}

/** With `auth`, the server takes only that user and password (a config file, as in deploy/nats.conf). */
export async function startPrivateNats(auth?: { user: string; password: string }): Promise<PrivateNats> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "ai-router-nats-"));
  const args = ["-js", "-a", "127.0.0.1", "-p", String(port), "-sd", dir];
  if (auth) {
    const conf = join(dir, "nats.conf");
    writeFileSync(conf, `authorization {\n  user: ${JSON.stringify(auth.user)}\n  password: ${JSON.stringify(auth.password)}\n}\n`, {
      mode: 0o600,
    });
    args.push("-c", conf);
  }
  const { start, stop } = privateServer(NATS_SERVER_BIN, args, "Server is ready", true);
  await start();
  return {
    url: `nats://127.0.0.1:${port}`,
    start,
    stop,
    async dispose() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const controlPlaneMain = fileURLToPath(new URL("../dist/main.js", import.meta.url));
export const proxyMain = fileURLToPath(new URL("../../proxy/dist/main.js", import.meta.url));
export const workerMain = fileURLToPath(new URL("../../health-worker/dist/main.js", import.meta.url));
export const REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
export { type ServiceProcess, spawnService, uniqueName, waitFor } from "@ai-router/testing";

/** A chat request to `model` through a proxy; resolves to the HTTP status. */
export async function chat(proxyUrl: string, model: string, key?: string): Promise<number> {
  const r = await fetch(`${proxyUrl}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: JSON.stringify({ model, messages: [{ role: "user", content: "hi" }] }),
  });
  await r.arrayBuffer();
  return r.status;
}

/** The signer of the test clusters (ROUTER_MASTER_KEY = MASTER_KEY). */
export const signer = createSigner(parseMasterKey(MASTER_KEY));

/** The table in a bucket, its signature checked as a proxy checks it. */
export async function readPublishedTable<T = Record<string, unknown>>(bucket: string, url = NATS_URL): Promise<T> {
  const { connect } = await import("@nats-io/transport-node");
  const { Kvm } = await import("@nats-io/kv");
  const nc = await connect({ servers: url, timeout: 2_000 });
  try {
    const e = await (await new Kvm(nc).open(bucket)).get("table");
    if (!e) throw new Error("no table in the bucket");
    const v = signer.verify(e.value, kvContext(bucket, "table"));
    if (!v.ok) throw new Error(`the table is not validly signed: ${v.reason}`);
    const table = JSON.parse(v.payload) as Record<string, unknown>;
    // Models in chunks and keys in their own bucket are put back, as a proxy sees them.
    const kv = await new Kvm(nc).open(bucket);
    const whole = await assembleTable(table, async (id) => (await kv.get(`models.${id}`))?.string());
    if (typeof table.keysBucket === "string") {
      const keysKv = await new Kvm(nc).open(table.keysBucket);
      const keys: unknown[] = [];
      for await (const k of await keysKv.keys()) {
        const entry = await keysKv.get(k);
        if (entry?.operation !== "PUT") continue;
        const kv2 = signer.verify(entry.value, kvContext(table.keysBucket, k));
        if (kv2.ok) keys.push(JSON.parse(kv2.payload));
      }
      whole.clientKeys = keys;
    }
    return whole as T;
  } finally {
    await nc.close();
  }
}

/** Removes a test's KV bucket from a NATS server (best effort). */
export async function destroyBucket(url: string, bucket: string): Promise<void> {
  const { connect } = await import("@nats-io/transport-node");
  const { Kvm } = await import("@nats-io/kv");
  const nc = await connect({ servers: url, timeout: 2_000 }).catch(() => undefined);
  if (!nc) return;
  for (const name of [bucket, `${bucket}-keys`]) {
    await new Kvm(nc)
      .open(name)
      .then((kv) => kv.destroy())
      .catch(() => {});
  }
  await nc.close();
}

/** Removes a test's usage stream (best effort). */
export async function destroyUsageStream(url: string, bucket: string): Promise<void> {
  const { connect } = await import("@nats-io/transport-node");
  const { jetstreamManager } = await import("@nats-io/jetstream");
  const { usageLedger } = await import("@ai-router/contracts");
  const nc = await connect({ servers: url, timeout: 2_000 }).catch(() => undefined);
  if (!nc) return;
  await jetstreamManager(nc)
    .then((jsm) => jsm.streams.delete(usageLedger.stream(bucket)))
    .catch(() => {});
  await nc.close();
}

/** A usage record as a proxy publishes it (one served attempt, priced), with `over` on top. */
export const usageRecord = (id: string, over: Partial<UsageRecord> = {}): UsageRecord => ({
  id,
  time: new Date().toISOString(),
  replica: "r1",
  ingress: "openai-chat",
  endpoint: "chat.completions",
  model: "m",
  provider: "p",
  upstream_model: "m-1",
  key_id: null,
  key_name: null,
  stream: false,
  status: 200,
  error_code: null,
  attempts: [{ provider: "p", upstream_model: "m-1", outcome: "served", status: 200, error_code: null, latency_ms: 3 }],
  prompt_tokens: 10,
  completion_tokens: 5,
  cached_tokens: 0,
  reasoning_tokens: 0,
  usage_estimated: false,
  cost_usd: 0.5,
  latency_ms: 12.5,
  ttft_ms: 12.5,
  tokens_per_s: null,
  request_bytes: 100,
  response_bytes: 300,
  queued_ms: 0,
  cache_creation_tokens: 0,
  cache_saved_usd: null,
  seq: 1,
  ...over,
});

/** A control plane and proxy processes on the machine's NATS, with a private bucket and database. */
export interface TestCluster {
  bucket: string;
  /** The test database (for a second control plane on the same data). */
  databaseUrl: string;
  cp: ServiceProcess;
  proxies: ServiceProcess[];
  /** The cluster environment every process gets (NATS, bucket, master key). */
  env: Record<string, string>;
  /** Health workers (ledger writers) started with `worker: true` or `startWorker()`. */
  workers: ServiceProcess[];
  /** Starts one more health worker writing the usage ledger. */
  startWorker(): Promise<ServiceProcess>;
  /** An admin API call (to the control plane, or through `base`: a proxy's port). */
  admin(
    method: string,
    path: string,
    body?: unknown,
    base?: string,
  ): Promise<{ status: number; headers: Headers; body: Record<string, unknown> }>;
  stop(): Promise<void>;
}

export async function startTestCluster(
  prefix: string,
  replicas = 2,
  proxyEnv: NodeJS.ProcessEnv = {},
  /**
   * `offline`: the Files, Batches and Fine-tuning APIs on (proxies get the database and Redis; workers send
   * batch lines to the first proxy), with these extra worker variables.
   */
  opts: { worker?: boolean; natsUrl?: string; offline?: Record<string, string> } = {},
): Promise<TestCluster> {
  const db = await createTestDatabase();
  const bucket = uniqueName(prefix);
  const natsUrl = opts.natsUrl ?? NATS_URL;
  const env = { NATS_URL: natsUrl, ROUTER_NATS_BUCKET: bucket, ROUTER_MASTER_KEY: MASTER_KEY };
  const cp = await spawnService(controlPlaneMain, Object.assign({}, env, { DATABASE_URL: db.url, ROUTER_ADMIN_TOKEN: ADMIN_TOKEN }));
  const proxies: ServiceProcess[] = [];
  // Proxies count client-key limits in Redis only when the test says so (proxyEnv.REDIS_URL): a REDIS_URL
  // in the runner's environment (CI exports one) must not switch a test to the other mode unseen.
  const offlineEnv = opts.offline ? { DATABASE_URL: db.url, REDIS_URL } : {};
  for (let i = 0; i < replicas; i++)
    proxies.push(await spawnService(proxyMain, Object.assign({}, env, { CONTROL_PLANE_URL: cp.url, REDIS_URL: "" }, offlineEnv, proxyEnv)));
  const workers: ServiceProcess[] = [];
  const startWorker = async () => {
    const w = await spawnService(
      workerMain,
      Object.assign(
        {},
        env,
        { DATABASE_URL: db.url, REDIS_URL, HEALTH_WORKER_PORT: "0", HEALTH_PROBE_INTERVAL_MS: "600000" },
        opts.offline && proxies[0] ? Object.assign({ ROUTER_BATCH_PROXY_URL: proxies[0].url }, opts.offline) : {},
      ),
    );
    workers.push(w);
    return w;
  };
  if (opts.worker) await startWorker();
  const headers = { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" };
  return {
    bucket,
    databaseUrl: db.url,
    cp,
    proxies,
    env,
    workers,
    startWorker,
    async admin(method, path, body, base = cp.url) {
      const r = await fetch(`${base}${path}`, { method, headers, body: body === undefined ? null : JSON.stringify(body) });
      return { status: r.status, headers: r.headers, body: (await r.json()) as Record<string, unknown> };
    },
    async stop() {
      await Promise.all([...proxies.map((p) => p.stop()), ...workers.map((w) => w.stop()), cp.stop()]);
      await db.drop();
      await destroyBucket(natsUrl, bucket);
      await destroyUsageStream(natsUrl, bucket);
    },
  };
}

/** A private redis-server on a free port (fault tests stop it; the machine's shared one is never touched). */
export interface PrivateRedis {
  url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
}

export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  const args = ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"];
  const { start, stop } = privateServer(process.env.REDIS_SERVER_BIN ?? "redis-server", args, "Ready to accept connections");
  await start();
  return { url: `redis://127.0.0.1:${port}`, start, stop };
}

/**
 * A server process the test owns: `start()` resolves once its output shows `ready` (10 s at most),
 * `stop()` kills it with SIGKILL (a crash, as the fault tests want) and waits for the exit.
 */
function privateServer(bin: string, args: string[], ready: string, readStderr = false) {
  let child: ChildProcess | undefined;
  const start = async () => {
    const c = spawn(bin, args, { stdio: ["ignore", "pipe", "pipe"] });
    child = c;
    let out = "";
    await new Promise<void>((resolve, reject) => {
      const name = bin.split("/").pop();
      const timer = setTimeout(() => reject(new Error(`${name} did not start:\n${out}`)), 10_000);
      const onData = (d: Buffer) => {
        out += d;
        if (out.includes(ready)) {
          clearTimeout(timer);
          resolve();
        }
      };
      c.stdout?.on("data", onData);
      if (readStderr) c.stderr?.on("data", onData);
      c.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`${name} exited ${code}:\n${out}`));
      });
    });
  };
  const stop = async () => {
    const c = child;
    child = undefined;
    if (!c || c.exitCode !== null) return;
    const exited = new Promise((r) => c.once("exit", r));
    c.kill("SIGKILL");
    await exited;
  };
  return { start, stop };
}
