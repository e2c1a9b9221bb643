import { execFile, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { uniqueName } from "@ai-router/testing";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { destroyBucket, freePort, NATS_URL, PG_ADMIN_URL } from "../services/control-plane/test/helpers.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const script = join(root, "scripts/setup.sh");

function runSetup(args: string[], env: NodeJS.ProcessEnv, timeoutMs = 120_000): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile(
      "bash",
      [script, ...args],
      { cwd: root, env: Object.assign({}, process.env, env), timeout: timeoutMs },
      (error, stdout, stderr) => resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, out: stdout, err: stderr }),
    );
  });
}

describe("scripts/setup.sh", () => {
  it("passes shellcheck", () => {
    const scripts = readdirSync(join(root, "scripts"))
      .filter((f) => f.endsWith(".sh"))
      .map((f) => join(root, "scripts", f));
    expect(scripts).toContain(script);
    const r = spawnSync("shellcheck", ["-x", ...scripts], { encoding: "utf8" });
    expect(r.error, "shellcheck is not installed (apt-get install shellcheck; .ci/run installs it)").toBeUndefined();
    expect(r.stdout + r.stderr).toBe("");
    expect(r.status).toBe(0);
  });

  const dir = mkdtempSync(join(tmpdir(), "setup-"));
  const db = uniqueName("ai_router_setup");
  const bucket = uniqueName("setup");
  let pid: number | undefined;
  afterAll(async () => {
    if (pid) {
      try {
        process.kill(pid, "SIGTERM");
      } catch {}
      for (let i = 0; i < 50; i++) {
        try {
          process.kill(pid, 0);
          await new Promise((r) => setTimeout(r, 100));
        } catch {
          break;
        }
      }
    }
    const c = new pg.Client({ connectionString: PG_ADMIN_URL });
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`);
    await c.end();
    await destroyBucket(NATS_URL, bucket);
    rmSync(dir, { recursive: true, force: true });
  });

  it("--local fails clearly when PostgreSQL is unreachable, before writing anything", async () => {
    const envFile = join(dir, "unreachable.env");
    const r = await runSetup(["--local"], {
      ENV_FILE: envFile,
      DATABASE_URL: "postgresql://postgres@127.0.0.1:1/x",
      SETUP_SKIP_BUILD: "1",
    });
    expect(r.code).toBe(1);
    expect(r.err).toContain("PostgreSQL is not reachable at 127.0.0.1:1");
    expect(r.err).toContain("systemctl start postgresql");
    expect(() => readFileSync(envFile)).toThrow();
  });

  it("rejects an unknown option", async () => {
    const r = await runSetup(["--bogus"], {});
    expect(r.code).toBe(2);
    expect(r.err).toContain("unknown option '--bogus'");
  });

  it("--local writes .env without overwriting, starts the cluster, loads the demo and prints a first request that works", async () => {
    const envFile = join(dir, ".env");
    writeFileSync(envFile, "# mine\nROUTER_ADMIN_TOKEN=kept-by-operator-7fQ2mZ9xLr4pWv\nROUTER_MASTER_KEY=\nOTHER=1\n");
    const port = await freePort();
    const env = {
      ENV_FILE: envFile,
      SETUP_STATE_DIR: join(dir, "state"),
      SETUP_SKIP_BUILD: "1",
      SETUP_TIMEOUT: "90",
      ROUTER_PORT: String(port),
      CONTROL_PLANE_PORT: String(await freePort()),
      HEALTH_WORKER_PORT: String(await freePort()),
      DATABASE_URL: `postgresql://postgres@127.0.0.1:5432/${db}`,
      ROUTER_NATS_BUCKET: bucket,
      ROUTER_MASTER_KEY: "",
      ROUTER_ADMIN_TOKEN: "",
      LOG_LEVEL: "warn",
    };
    const r = await runSetup(["--local"], env);
    pid = Number(readFileSync(join(dir, "state/cluster.pid"), "utf8").trim()) || undefined;
    expect(r.err, r.out).toBe("");
    expect(r.code).toBe(0);
    const written = readFileSync(envFile, "utf8");
    expect(written).toContain("ROUTER_ADMIN_TOKEN=kept-by-operator-7fQ2mZ9xLr4pWv\n");
    expect(written).toContain("OTHER=1\n");
    const master = /^ROUTER_MASTER_KEY=([0-9a-f]{64})$/m.exec(written)?.[1];
    expect(master).toBeDefined();
    expect(written.match(/ROUTER_MASTER_KEY=/g)).toHaveLength(1);
    expect(r.out).toContain("ROUTER_ADMIN_TOKEN: kept");
    expect(r.out).toContain("ROUTER_MASTER_KEY: generated");
    expect(r.out).toContain("loading the demo model");
    expect(r.out).toContain(`API (OpenAI-compatible)   http://localhost:${port}/v1`);
    expect(r.out).toContain(`Console                   http://localhost:${port}/ui/`);
    expect(r.out).toContain("Admin token               kept-by-operator-7fQ2mZ9xLr4pWv");

    // The printed first request works as printed.
    const curl = /curl (http:\/\/localhost:\d+\/v1\/chat\/completions) -H 'content-type: application\/json' \\\n\s+-d '([^']+)'/.exec(
      r.out,
    );
    expect(curl).not.toBeNull();
    const res = await fetch(curl![1]!.replace("localhost", "127.0.0.1"), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: curl![2],
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-router-provider")).toBe("demo");
    expect(((await res.json()) as { choices: { message: { content: string } }[] }).choices[0]?.message.content).toBeTruthy();

    // Run again: the running cluster is reused, .env is unchanged, the database is not re-seeded.
    const again = await runSetup(["--local"], env);
    expect(again.code).toBe(0);
    expect(again.out).toContain("already running");
    expect(again.out).not.toContain("loading the demo model");
    expect(readFileSync(envFile, "utf8")).toBe(written);
  }, 180_000);
});
