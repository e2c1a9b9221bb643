#!/usr/bin/env node
// `npm run cluster`: applies migrations, starts the control plane, the health worker (if built) and
// PROXY_REPLICAS proxies (ports 8000, 8010, 8020, ...) against the local Postgres/Redis/NATS.
// Ctrl-C stops everything. Env: DATABASE_URL, REDIS_URL, NATS_URL, NATS_USER, NATS_PASSWORD, ROUTER_ADMIN_TOKEN, ROUTER_MASTER_KEY,
// PROXY_REPLICAS (1), PROXY_BASE_PORT (8000), CONTROL_PLANE_PORT (8081), HEALTH_WORKER_PORT (8082).
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";

const root = fileURLToPath(new URL("..", import.meta.url));
const at = (p) => fileURLToPath(new URL(`../${p}`, import.meta.url));
const env = {
  DATABASE_URL: "postgresql://postgres@127.0.0.1:5432/ai_router",
  REDIS_URL: "redis://127.0.0.1:6379",
  NATS_URL: "nats://127.0.0.1:4222",
  ...process.env,
};
const replicas = Number(env.PROXY_REPLICAS ?? 1);
const basePort = Number(env.PROXY_BASE_PORT ?? 8000);
const cpPort = Number(env.CONTROL_PLANE_PORT ?? 8081);
if (!Number.isInteger(replicas) || replicas < 1 || replicas > 50) {
  console.error("PROXY_REPLICAS must be an integer from 1 to 50");
  process.exit(2);
}
if (!env.ROUTER_MASTER_KEY) {
  console.error("ROUTER_MASTER_KEY is required (32 random bytes, e.g. `export ROUTER_MASTER_KEY=$(openssl rand -hex 32)`).");
  console.error(`For a throwaway local run: ROUTER_MASTER_KEY=${randomBytes(32).toString("hex")}`);
  process.exit(2);
}
if (!env.ROUTER_ADMIN_TOKEN && !env.ROUTER_DEV_MODE) {
  console.error("ROUTER_ADMIN_TOKEN is required (or ROUTER_DEV_MODE=1 for an unauthenticated local run).");
  process.exit(2);
}
// NATS credentials (NATS_USER / NATS_PASSWORD, or nats://user:password@host in NATS_URL) reach every service.
if (!env.NATS_USER && !/\/\/[^/@]+@/.test(env.NATS_URL)) {
  console.error(
    "[cluster] warning: NATS without credentials. Tables and messages are signed, but give the NATS server a user " +
      "(`nats-server -js --user ai-router --pass ...`) and set NATS_USER / NATS_PASSWORD outside a development machine.",
  );
}
for (const f of ["services/control-plane/dist/main.js", "services/proxy/dist/main.js"]) {
  if (!existsSync(at(f))) {
    console.error(`${f} is missing: run \`npm run build\` first`);
    process.exit(2);
  }
}

// Creates the database on first run (migrations then fill it).
{
  const target = new URL(env.DATABASE_URL);
  const name = decodeURIComponent(target.pathname.slice(1));
  const admin = new URL(env.DATABASE_URL);
  admin.pathname = "/postgres";
  const c = new pg.Client({ connectionString: admin.toString() });
  try {
    await c.connect();
    const r = await c.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    if (r.rowCount === 0) {
      await c.query(`CREATE DATABASE "${name.replaceAll('"', '""')}"`);
      console.error(`[cluster] created database ${name}`);
    }
  } catch (err) {
    console.error(`[cluster] cannot reach PostgreSQL at ${admin.host}: ${err.message}`);
    process.exit(1);
  } finally {
    await c.end().catch(() => {});
  }
}

const children = [];
let stopping = false;
function start(name, file, extra) {
  const child = spawn(process.execPath, [at(file)], { cwd: root, env: { ...env, ...extra }, stdio: ["ignore", "inherit", "inherit"] });
  children.push(child);
  child.on("exit", (code, signal) => {
    if (stopping) return;
    console.error(`[cluster] ${name} exited (${signal ?? code}); stopping the cluster`);
    stop(1);
  });
  return child;
}
function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  for (const c of children) if (c.exitCode === null) c.kill("SIGTERM");
  setTimeout(() => process.exit(code), 3_000).unref();
  Promise.all(children.map((c) => (c.exitCode === null ? new Promise((r) => c.once("exit", r)) : null))).then(() => process.exit(code));
}
process.on("SIGINT", () => stop(0));
process.on("SIGTERM", () => stop(0));

// The control plane applies pending migrations (`prisma migrate deploy`) before it listens.
start("control-plane", "services/control-plane/dist/main.js", { PORT: String(cpPort), HOST: env.CONTROL_PLANE_HOST ?? "127.0.0.1" });
// Active provider probes (BullMQ on Redis); the proxies work without it, on passive health alone.
const worker = ["services/health-worker/dist/main.js"].find((f) => existsSync(at(f)));
if (worker)
  start("health-worker", worker, { HEALTH_WORKER_PORT: env.HEALTH_WORKER_PORT ?? "8082", HOST: env.HEALTH_WORKER_HOST ?? "127.0.0.1" });
for (let i = 0; i < replicas; i++) {
  start(`proxy-${i}`, "services/proxy/dist/main.js", {
    PORT: String(basePort + 10 * i),
    CONTROL_PLANE_URL: `http://127.0.0.1:${cpPort}`,
    ROUTER_TABLE_CACHE: env.ROUTER_TABLE_CACHE ?? join(tmpdir(), `ai-router-table-${basePort + 10 * i}.json`),
  });
}
console.error(
  `[cluster] control plane :${cpPort}, ${worker ? `health worker :${env.HEALTH_WORKER_PORT ?? 8082}, ` : ""}${replicas} prox${replicas === 1 ? "y" : "ies"} on ${Array.from({ length: replicas }, (_, i) => basePort + 10 * i).join(", ")}`,
);
