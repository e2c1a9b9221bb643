// Processes under test for the benchmarks: started pinned to a core (taskset, when there are two), their
// port read from the JSON line they log; CPU time and peak RSS read from /proc.
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, openSync, readFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";

export const pin = cpus().length >= 2 && existsSync("/usr/bin/taskset");
export const tmp = mkdtempSync(join(tmpdir(), "ai-router-bench-"));
if (pin) execFileSync("taskset", ["-p", "-c", "1", String(process.pid)], { stdio: "ignore" });

const children = [];
process.on("exit", () => {
  for (const c of children) c.kill("SIGKILL");
});

/** Starts `script` with `env` on `core`; resolves once it logged its port (`"port":N`), with the ms that took. */
export async function startProcess(name, script, env, core) {
  const t0 = performance.now();
  const log = join(tmp, `${name}.log`);
  const fd = openSync(log, "w");
  const cmd = pin ? "taskset" : process.execPath;
  const args = pin ? ["-c", String(core), process.execPath, script] : [script];
  const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ["ignore", fd, fd] });
  children.push(child);
  for (let i = 0; i < 400; i++) {
    await new Promise((r) => setTimeout(r, 25));
    const m = /"port":(\d+)/.exec(readFileSync(log, "utf8"));
    if (m) return { child, port: Number(m[1]), log, startMs: performance.now() - t0 };
  }
  throw new Error(`${name} did not start: ${readFileSync(log, "utf8")}`);
}

/** Kills a process started above and waits for its exit. */
export async function stopProcess(p) {
  const exited = new Promise((r) => p.child.once("exit", r));
  p.child.kill("SIGKILL");
  await exited;
}

const CLK_TCK = 100;
export function cpuMs(pid) {
  const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return ((Number(f[11]) + Number(f[12])) * 1000) / CLK_TCK;
}
export const peakRssMb = (pid) => Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))[1]) / 1024;

export const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
