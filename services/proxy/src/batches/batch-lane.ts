import { type ChildProcess, fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { Logger } from "@ai-router/logger";
import type { KeyLimits } from "../limits/key-limits.js";
import type { RequestRecord } from "../record/request-record.js";
import type { RuntimeTable } from "../routing/runtime-table.js";
import { FromLane, recordOf, type ToLane } from "./lane-messages.js";

export interface LaneOptions {
  /** The batch lines' secret (BatchAuth's): the lane checks the runner's signatures with it. */
  secret: Buffer;
  logger: Logger;
  /** Each batch line's record, finished by the lane: written where this process's own records go. */
  onRecord(r: RequestRecord): void;
  /** This process's key limiters and table: the spend the lane's budgets are checked against. */
  keyLimits(): KeyLimits | undefined;
  table(): RuntimeTable | undefined;
  /** The lane's entry (lane-main.js by default; tests give another). */
  script?: string;
}

/** Where a batch line is sent: a lane's origin, waited for while it (re)starts; undefined: this process. */
export interface LineOrigin {
  current(): Promise<string | undefined>;
  /** A line could not reach `origin`: the lane may have died (its exit restarts it). */
  unreachable(origin: string): void;
}

/**
 * The standalone proxy's batch lane: a child process (lane-main.ts) at the lowest CPU priority that
 * serves the batch runner's lines, so the operating system, not a pace rule, keeps batches below live
 * traffic. Started when the first line needs it; restarted when it exits (1 s, doubling to 30 s); its records come back here; the spend of
 * budgeted keys goes to it when it is ready, whenever it changed (checked before each line and every 100 ms), and every 2 s.
 */
export class BatchLane implements LineOrigin {
  private child: ChildProcess | undefined;
  private origin: Promise<string | undefined> = Promise.resolve(undefined);
  private resolveOrigin: ((o: string | undefined) => void) | undefined;
  private stopping = false;
  private started = false;
  private backoffMs = 1_000;
  private spendTimer: NodeJS.Timeout | undefined;
  /** Spend of the lane's records by key id, and the last spend sent. */
  private readonly laneSpent = new Map<string, number>();
  private lastSent = "";
  private lastSentAt = 0;
  /** Starts in a row that ended before the lane listened: at 3 it is given up and lines run in this process. */
  private failedStarts = 0;

  constructor(private readonly o: LaneOptions) {}

  /** Started by the first line that needs it: a router that runs no batch runs no lane. */
  current(): Promise<string | undefined> {
    if (!this.started && !this.stopping) {
      this.started = true;
      this.spawn();
      this.spendTimer = setInterval(() => this.sendSpend(), 100);
      this.spendTimer.unref();
    }
    // Before each line too (sent only when changed): with the timer alone the lane could judge a line
    // by live spend up to 100 ms old and overshoot a budget by the live requests of that time.
    this.sendSpend();
    return this.origin;
  }

  unreachable(origin: string): void {
    this.o.logger.warn({ origin }, "batch lane unreachable; waiting for it to restart");
  }

  /** A new origin to wait for: lines asking from now on wait until a lane is ready (or given up). */
  private renewOrigin(): void {
    this.origin = new Promise((resolve) => {
      this.resolveOrigin = resolve;
    });
  }

  private spawn(): void {
    if (this.resolveOrigin === undefined) this.renewOrigin();
    const script = this.o.script ?? fileURLToPath(new URL("./lane-main.js", import.meta.url));
    const child = fork(script, [], {
      serialization: "advanced",
      stdio: ["ignore", "inherit", "inherit", "ipc"],
      // Not a second debugger on the proxy's inspector port.
      execArgv: process.execArgv.filter((a) => !a.startsWith("--inspect")),
    });
    this.child = child;
    this.lastSent = "";
    child.send({ t: "hello", secret: this.o.secret.toString("hex") } satisfies ToLane);
    child.on("message", (m) => {
      const msg = FromLane.safeParse(m);
      if (!msg.success) return;
      if (msg.data.t === "ready") {
        ready = true;
        this.backoffMs = 1_000;
        this.failedStarts = 0;
        this.o.logger.info({ lanePid: child.pid, port: msg.data.port }, "batch lane ready");
        // The spend of budgeted keys is sent before any line can be.
        this.sendSpend(true);
        this.resolveOrigin?.(`http://127.0.0.1:${msg.data.port}`);
        this.resolveOrigin = undefined;
        return;
      }
      const r = recordOf(msg.data);
      if (r.keyId !== null && r.costUsd !== null) this.laneSpent.set(r.keyId, (this.laneSpent.get(r.keyId) ?? 0) + r.costUsd);
      this.o.onRecord(r);
    });
    let ready = false;
    child.on("exit", (code, signal) => {
      if (this.child !== child) return;
      this.child = undefined;
      if (ready) this.renewOrigin();
      if (this.stopping) return this.resolveOrigin?.(undefined);
      if (!ready && ++this.failedStarts >= 3) {
        this.o.logger.error({ code, signal }, "the batch lane does not start; batch lines run in this process");
        return this.resolveOrigin?.(undefined);
      }
      this.o.logger.warn({ code, signal, retryMs: this.backoffMs }, "batch lane exited; restarting it");
      const wait = this.backoffMs;
      this.backoffMs = Math.min(30_000, this.backoffMs * 2);
      // Lines wait on the pending origin meanwhile; the next lane's port resolves it.
      const t = setTimeout(() => (this.stopping ? this.resolveOrigin?.(undefined) : this.spawn()), wait);
      t.unref();
    });
  }

  /** The spend of budgeted keys apart from the lane's own, when it changed since the last send. */
  private sendSpend(force = false): void {
    const limits = this.o.keyLimits();
    const table = this.o.table();
    if (this.child === undefined || limits === undefined || table === undefined) return;
    const keys: Record<string, number> = {};
    for (const k of table.clientKeys.values()) {
      if (k.budgetUsd === undefined) continue;
      const l = limits.get(k.sha256);
      if (l === undefined) continue;
      keys[k.sha256] = Math.max(0, l.spentUsd() - (this.laneSpent.get(k.id ?? k.name) ?? 0));
    }
    const text = JSON.stringify(keys);
    // Unchanged spend is sent again every 2 s: a lane that reloaded router.yaml starts its keys' spend anew.
    const now = Date.now();
    if (!force && text === this.lastSent && now - this.lastSentAt < 2_000) return;
    this.lastSent = text;
    this.lastSentAt = now;
    this.child.send({ t: "spend", at: now, keys } satisfies ToLane);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.spendTimer) clearInterval(this.spendTimer);
    const child = this.child;
    if (child === undefined || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGTERM");
    await exited;
  }
}
