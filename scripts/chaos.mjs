#!/usr/bin/env node
// Chaos run (issue 13): a cluster (control plane, two proxy replicas, health of its own) under steady
// mixed load, one fault at a time, a table per fault. Every service it breaks is its own: a private
// nats-server, redis-server and PostgreSQL cluster on free ports (the machine's shared ones are never
// touched), an in-process mock upstream. Not part of `npm test`; about 3-4 minutes.
// Usage: npm run chaos
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, chownSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { spawnService, startMockUpstream } from "../libs/testing/dist/index.js";

const at = (p) => fileURLToPath(new URL(`../${p}`, import.meta.url));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const PG_BIN = process.env.PG_BIN ?? spawnSync("sh", ["-c", "ls -d /usr/lib/postgresql/*/bin | tail -1"]).stdout.toString().trim();
const freePort = () =>
  new Promise((resolve) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
const waitLine = (child, re, ms = 20_000) =>
  new Promise((resolve, reject) => {
    let out = "";
    const t = setTimeout(() => reject(new Error(`not ready:\n${out}`)), ms);
    const on = (d) => {
      out += d;
      if (re.test(out)) {
        clearTimeout(t);
        resolve();
      }
    };
    child.stdout?.on("data", on);
    child.stderr?.on("data", on);
  });

/** A daemon the script owns: start, SIGKILL, start again on the same port and data. */
function daemon(name, start) {
  let child;
  return {
    name,
    async start() {
      child = await start();
    },
    async kill() {
      if (!child || child.exitCode !== null) return;
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGKILL");
      await exited;
    },
  };
}

const dirs = [];
const natsPort = await freePort();
const natsDir = mkdtempSync(join(tmpdir(), "chaos-nats-"));
dirs.push(natsDir);
const nats = daemon("nats", async () => {
  const c = spawn("nats-server", ["-js", "-a", "127.0.0.1", "-p", String(natsPort), "-sd", natsDir], { stdio: ["ignore", "pipe", "pipe"] });
  await waitLine(c, /Server is ready/);
  return c;
});
const redisPort = await freePort();
const redis = daemon("redis", async () => {
  const c = spawn("redis-server", ["--port", String(redisPort), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  await waitLine(c, /Ready to accept connections/);
  return c;
});
const pgPort = await freePort();
const pgDir = mkdtempSync(join(tmpdir(), "chaos-pg-"));
dirs.push(pgDir);
if (process.getuid?.() === 0)
  chownSync(pgDir, Number(spawnSync("id", ["-u", "postgres"]).stdout), Number(spawnSync("id", ["-g", "postgres"]).stdout));
chmodSync(pgDir, 0o700);
// PostgreSQL refuses to run as root: as root, its processes run as the postgres user (SIGKILL then
// reaches the postmaster itself, not a wrapper).
const pgUser = spawnSync("id", ["-u", "postgres"]).stdout.toString().trim();
const pgGroup = spawnSync("id", ["-g", "postgres"]).stdout.toString().trim();
const asPg = process.getuid?.() === 0 ? { uid: Number(pgUser), gid: Number(pgGroup) } : {};
{
  const r = spawnSync(`${PG_BIN}/initdb`, ["-D", `${pgDir}/data`, "-A", "trust", "-U", "postgres"], { stdio: "pipe", ...asPg });
  if (r.status !== 0) throw new Error(`initdb failed: ${r.stderr}`);
}
const postgres = daemon("postgres", async () => {
  const args = ["-D", `${pgDir}/data`, "-p", String(pgPort), "-k", pgDir, "-c", "listen_addresses=127.0.0.1"];
  const c = spawn(`${PG_BIN}/postgres`, args, { stdio: ["ignore", "pipe", "pipe"], ...asPg });
  await waitLine(c, /ready to accept connections/);
  return c;
});
await Promise.all([nats.start(), redis.start(), postgres.start()]);

const mock = await startMockUpstream({ record: false });
const token = randomBytes(16).toString("hex");
const env = {
  NATS_URL: `nats://127.0.0.1:${natsPort}`,
  ROUTER_NATS_BUCKET: "chaos",
  ROUTER_MASTER_KEY: randomBytes(32).toString("hex"),
  LOG_LEVEL: "warn",
};
const cpEnv = { ...env, DATABASE_URL: `postgresql://postgres@127.0.0.1:${pgPort}/postgres`, ROUTER_ADMIN_TOKEN: token };
let cp = await spawnService(at("services/control-plane/dist/main.js"), { ...cpEnv, LOG_LEVEL: "info" }, 120_000);
const proxyEnv = () => ({ ...env, LOG_LEVEL: "info", CONTROL_PLANE_URL: cp.url, REDIS_URL: `redis://127.0.0.1:${redisPort}` });
const proxies = [
  await spawnService(at("services/proxy/dist/main.js"), proxyEnv()),
  await spawnService(at("services/proxy/dist/main.js"), proxyEnv()),
];

async function admin(method, path, body) {
  const r = await fetch(`${cp.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: body === undefined ? null : JSON.stringify(body),
  });
  return { status: r.status, body: await r.json() };
}
for (const name of ["up-a", "up-b"]) {
  const r = await admin("POST", "/v1/db/providers", {
    name,
    adapter: "openai-compatible",
    base_url: mock.baseUrl,
    api_key: "sk-chaos-0000",
  });
  if (r.status !== 200) throw new Error(JSON.stringify(r));
  await admin("PUT", `/v1/db/providers/${r.body.id}`, { timeout_ms: 2_000 });
}
const model = await admin("POST", "/v1/db/models", { name: "m", provider_id: 1, upstream_model: "gpt-4o", strategy: "round_robin" });
await admin("POST", `/v1/db/models/${model.body.id}/providers`, { provider_id: 2, upstream_model: "gpt-4o" });
const loadKey = (await admin("POST", "/v1/db/keys", { name: "load" })).body.key;
const faults = [
  "SIGKILL proxy",
  "SIGKILL control plane",
  "NATS restart",
  "Redis down 10 s",
  "Postgres down 10 s",
  "upstream resets mid-stream",
  "upstream stalls",
];
const limitKeys = [];
for (const _ of faults) limitKeys.push((await admin("POST", "/v1/db/keys", { name: `limit-${limitKeys.length}`, rpm_limit: 10 })).body.key);

async function chat(key, stream) {
  const order = Math.random() < 0.5 ? [0, 1] : [1, 0];
  let last = "";
  // The client retries once on the other replica (what a load balancer in front does).
  for (const i of order) {
    try {
      const r = await fetch(`${proxies[i].url}/v1/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
        body: JSON.stringify({ model: "m", stream, messages: [{ role: "user", content: "hi" }] }),
        signal: AbortSignal.timeout(15_000),
      });
      const text = await r.text();
      if (r.status === 200 && (!stream || text.includes("[DONE]"))) return { ok: true };
      if (r.status === 200) last = "stream cut";
      else last = `${r.status} ${/"code":"([^"]+)"/.exec(text)?.[1] ?? ""}`.trim();
      if (r.status < 500 && r.status !== 200) return { ok: false, why: last };
    } catch (err) {
      last = err.cause?.code ?? err.name;
    }
  }
  return { ok: false, why: last };
}

/** Steady mixed load (JSON and streams) from 8 clients until stopped. */
function load() {
  let running = true;
  const s = { sent: 0, served: 0, failed: 0, why: {} };
  const loops = Array.from({ length: 8 }, async (_, n) => {
    while (running) {
      const r = await chat(loadKey, n % 2 === 0);
      s.sent++;
      if (r.ok) s.served++;
      else {
        s.failed++;
        s.why[r.why] = (s.why[r.why] ?? 0) + 1;
      }
      await sleep(20);
    }
  });
  return {
    async stop() {
      running = false;
      await Promise.all(loops);
      return s;
    },
  };
}

/** 20 requests of a key with rpm 10 spread over both replicas: exact when 10 are served. */
async function limitCheck(key) {
  const rs = await Promise.all(
    Array.from({ length: 20 }, (_, i) =>
      fetch(`${proxies[i % 2].url}/v1/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
        body: JSON.stringify({ model: "m", messages: [{ role: "user", content: "hi" }] }),
      }).then(
        (r) => r.status,
        () => 0,
      ),
    ),
  );
  return rs.filter((s) => s === 200).length;
}

async function respawnProxy(i) {
  proxies[i] = await spawnService(at("services/proxy/dist/main.js"), proxyEnv());
}
const actions = {
  "SIGKILL proxy": async () => {
    proxies[0].child.kill("SIGKILL");
    await sleep(3_000);
    await respawnProxy(0);
  },
  "SIGKILL control plane": async () => {
    cp.child.kill("SIGKILL");
    await sleep(3_000);
    cp = await spawnService(at("services/control-plane/dist/main.js"), { ...cpEnv, LOG_LEVEL: "info" }, 60_000);
  },
  "NATS restart": async () => {
    await nats.kill();
    await sleep(3_000);
    await nats.start();
  },
  "Redis down 10 s": async () => {
    await redis.kill();
    await sleep(10_000);
    await redis.start();
  },
  "Postgres down 10 s": async () => {
    await postgres.kill();
    await sleep(10_000);
    await postgres.start();
  },
  "upstream resets mid-stream": async () => {
    mock.behavior.next({ cutAfterChunks: 1 }, 30);
    await sleep(5_000);
  },
  "upstream stalls": async () => {
    mock.behavior.next({ delayMs: 60_000 }, 10);
    await sleep(6_000);
    mock.behavior.reset();
  },
};

const rows = [];
const t0 = performance.now();
try {
  for (const [i, f] of faults.entries()) {
    const l = load();
    await sleep(2_000);
    const during = limitCheck(limitKeys[i]);
    await actions[f]();
    await sleep(3_000);
    const served = await during;
    const s = await l.stop();
    rows.push({ f, ...s, limit: served });
    const why =
      Object.entries(s.why)
        .map(([k, v]) => `${k} x${v}`)
        .join(", ") || "-";
    console.log(
      `\n${f}\n  sent ${s.sent}, served ${s.served}, failed ${s.failed} (${why})\n  rpm 10 key, 20 requests over both replicas: ${served} served (${served === 10 ? "exact" : "NOT exact"})\n  usage records lost: n/a (no usage ledger in this build)`,
    );
  }
} catch (err) {
  console.error(`chaos run stopped: ${err.stack ?? err}`);
  process.exitCode = 1;
} finally {
  console.log(`\n| fault | sent | served | failed (why) | rpm 10: served of 20 |\n|---|---|---|---|---|`);
  for (const r of rows)
    console.log(
      `| ${r.f} | ${r.sent} | ${r.served} | ${r.failed} ${Object.entries(r.why)
        .map(([k, v]) => `${k} x${v}`)
        .join(", ")} | ${r.limit} |`,
    );
  console.log(`\nchaos run: ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  for (const p of [...proxies, cp]) p.child.kill("SIGKILL");
  await mock.close();
  await Promise.all([nats.kill(), redis.kill(), postgres.kill()]);
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
}
