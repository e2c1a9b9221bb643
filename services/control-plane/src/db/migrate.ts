import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

/** The repository root (prisma.config.ts and prisma/ live there), from src/db or dist/db. */
export const repoRoot = fileURLToPath(new URL("../../../../", import.meta.url));

const DONE = /All migrations have been successfully applied|No pending migrations to apply/;

/**
 * Runs `prisma migrate deploy` against `databaseUrl`. The wasm schema engine leaves a timer running
 * for ~10 s after finishing, so the child is stopped as soon as it reports success.
 */
export function migrateDeploy(databaseUrl: string, timeoutMs = 120_000): Promise<string> {
  const cli = createRequire(import.meta.url).resolve("prisma/build/index.js");
  const child = spawn(process.execPath, [cli, "migrate", "deploy", "--config", `${repoRoot}prisma.config.ts`], {
    cwd: repoRoot,
    env: { ...process.env, DATABASE_URL: databaseUrl, PRISMA_HIDE_UPDATE_MESSAGE: "1", NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  return new Promise((resolve, reject) => {
    let done = false;
    const finish = (err?: Error) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (child.exitCode === null) child.kill("SIGKILL");
      if (err) reject(err);
      else resolve(out);
    };
    const timer = setTimeout(() => finish(new Error(`prisma migrate deploy timed out:\n${out}`)), timeoutMs);
    const onData = (d: Buffer) => {
      out += d;
      if (DONE.test(out)) finish();
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.once("error", (err) => finish(err));
    child.once("exit", (code) => (code === 0 ? finish() : finish(new Error(`prisma migrate deploy failed (exit ${code}):\n${out}`))));
  });
}
