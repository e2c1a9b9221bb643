// The chaos run's own servers: nats-server, redis-server and a PostgreSQL cluster on free ports, each
// one it can SIGKILL and start again on the same port and data (scripts/chaos.mjs).
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, chownSync, mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

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

export const dirs = [];
export const natsPort = await freePort();
const natsDir = mkdtempSync(join(tmpdir(), "chaos-nats-"));
dirs.push(natsDir);
export const nats = daemon("nats", async () => {
  const c = spawn("nats-server", ["-js", "-a", "127.0.0.1", "-p", String(natsPort), "-sd", natsDir], { stdio: ["ignore", "pipe", "pipe"] });
  await waitLine(c, /Server is ready/);
  return c;
});
export const redisPort = await freePort();
export const redis = daemon("redis", async () => {
  const c = spawn("redis-server", ["--port", String(redisPort), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  await waitLine(c, /Ready to accept connections/);
  return c;
});
export const pgPort = await freePort();
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
export const postgres = daemon("postgres", async () => {
  const args = ["-D", `${pgDir}/data`, "-p", String(pgPort), "-k", pgDir, "-c", "listen_addresses=127.0.0.1"];
  const c = spawn(`${PG_BIN}/postgres`, args, { stdio: ["ignore", "pipe", "pipe"], ...asPg });
  await waitLine(c, /ready to accept connections/);
  return c;
});
