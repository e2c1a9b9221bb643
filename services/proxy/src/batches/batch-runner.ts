import { createInterface } from "node:readline";
import type { Logger } from "@ai-router/logger";
import type { FileStore } from "../files/file-store.js";
import { BatchLine } from "../files/jsonl-check.js";
import type { OfflineUsage } from "../record/offline-usage.js";
import type { RuntimeTable } from "../routing/runtime-table.js";
import type { BatchAuth } from "./batch-auth.js";
import { finalizeBatch } from "./batch-finalize.js";
import type { BatchGate } from "./batch-gate.js";
import type { LineOrigin } from "./batch-lane.js";
import { type BatchState, type BatchStore, FINAL, nowS } from "./batch-state.js";
import { LineExecutor, parseOrUndefined, type ResultLine, resultId } from "./line-executor.js";
import { NativeBatches } from "./native-batch.js";

export interface RunnerOptions {
  files: FileStore;
  batches: BatchStore;
  auth: BatchAuth;
  logger: Logger;
  /** Lines in flight per replica (default 8). */
  concurrency?: number;
  /** How often a batch submitted to a provider's own batch API is polled (default 30 s). */
  nativePollMs?: number;
  /** Read a native batch once per run instead of following it (the health worker's poll job runs it again). */
  nativeOnce?: boolean;
  /** Where lines run at a provider's batch API are charged (the router's own lines are charged as requests). */
  usage?: OfflineUsage;
  /** Keeps lines below this process's live traffic: each waits for it before it is sent (standalone). */
  gate?: BatchGate;
}

/** What the runner needs of the proxy it sends lines through: its address and routing table. */
export interface RunnerHost {
  origin: string;
  /** Standalone: the batch lane the lines go to (batch-lane.ts); none: `origin`. */
  lane?: LineOrigin;
  /** The routing table now (native batches: which provider serves each line). */
  table(): RuntimeTable | undefined;
}

/**
 * Runs batches in this process (the standalone queue): each line through the router's own front door,
 * `concurrency` at a time, each held by the BatchGate below live traffic; every finished
 * line appended to the batch's results before it counts, so a restart resumes where it stopped and no
 * `custom_id` is written twice.
 */
export class BatchRunner {
  private readonly concurrency: number;
  private executor: LineExecutor | undefined;
  private host: RunnerHost | undefined;
  private readonly running = new Map<string, Promise<void>>();
  private stopped = false;
  private readonly cancelled = new Set<string>();
  /** Budgets held for batches at a provider's batch API, given back when they end. */
  private readonly holds = new Map<string, () => void>();

  private readonly native: NativeBatches;

  constructor(private readonly o: RunnerOptions) {
    this.concurrency = o.concurrency ?? 8;
    this.native = new NativeBatches(o.files, o.batches, o.auth, o.nativePollMs ?? 30_000, o.usage);
  }

  /** Starts serving (once the proxy listens): resumes every unfinished batch. */
  async start(host: RunnerHost): Promise<void> {
    this.attach(host);
    for (const b of await this.o.batches.unfinished()) this.enqueue(b.id);
  }

  /**
   * Runs one batch now and resolves when it is final, or when the runner stops (the health worker's
   * queue job, cluster mode: a cancel is read from the store, where any replica saved it).
   */
  async runNow(id: string): Promise<void> {
    if (this.host === undefined || this.stopped) return;
    const running = this.running.get(id);
    if (running !== undefined) return running;
    const run = this.run(id).finally(() => this.running.delete(id));
    this.running.set(id, run);
    return run;
  }

  /** Takes the host it sends lines through, without resuming anything (the health worker's queue does). */
  attach(host: RunnerHost): void {
    this.host = host;
    this.executor = new LineExecutor(host.origin, this.concurrency, host.lane);
  }

  /** Runs a batch (a no-op while it already runs, or before start: start resumes it). */
  enqueue(id: string): void {
    if (this.host === undefined || this.stopped || this.running.has(id)) return;
    const run = this.run(id)
      .catch((err) => this.o.logger.error({ err, batch: id }, "batch run failed"))
      .then(() => this.o.batches.get(id))
      .then((b) => {
        if (b !== undefined && !FINAL.has(b.status)) return;
        this.holds.get(id)?.();
        this.holds.delete(id);
      })
      .finally(() => this.running.delete(id));
    this.running.set(id, run);
  }

  /** Keeps a batch's budget hold until it ends. */
  hold(id: string, release: () => void): void {
    this.holds.set(id, release);
  }

  /** Stops a batch's lines (the batch is `cancelling`); those in flight finish, then it finalizes as `cancelled`. */
  cancel(id: string): void {
    this.cancelled.add(id);
    if (!this.running.has(id)) this.enqueue(id);
  }

  /** Stops taking lines and waits for those in flight (their results are kept). */
  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.running.values());
    await this.executor?.close();
  }

  private async run(id: string): Promise<void> {
    const { batches, files } = this.o;
    let b = await batches.get(id);
    if (b === undefined || FINAL.has(b.status)) return;
    if (b.status === "validating") {
      // One provider with a batch API serves every line: the batch goes there (native-batch.ts).
      await this.native.submitIfOne(b, this.host?.table(), this.o.logger);
      b.status = "in_progress";
      b.in_progress_at = nowS();
      await batches.save(b);
    }
    if (b.native !== null) {
      const over = await this.native.follow(
        id,
        () => this.host?.table(),
        () => this.stopped || this.o.nativeOnce === true,
        () => this.cancelled.has(id),
      );
      if (over) this.cancelled.delete(id);
      return;
    }
    // What finished before a restart: skipped, never run or written twice.
    const done = new Set<string>();
    const counts = { total: 0, completed: 0, failed: 0 };
    for await (const text of batches.results(id)) {
      const r = JSON.parse(text) as ResultLine;
      done.add(r.custom_id);
      if (r.error === null && r.response !== null && r.response.status_code < 300) counts.completed++;
      else counts.failed++;
    }
    if (b.status === "in_progress") {
      const input = await files.read(b.input_file_id);
      if (input === undefined) return this.fail(b, "input_file_missing", "The input file was deleted.");
      const token = this.o.auth.token(b.id, b.owner);
      const slots = new Set<Promise<void>>();
      let lineNo = 0;
      let last = Date.now();
      for await (const text of createInterface({ input, crlfDelay: Infinity })) {
        lineNo++;
        if (!text.trim()) continue;
        counts.total++;
        const parsed = BatchLine.safeParse(parseOrUndefined(text));
        // The upload checked every line; a line of another endpoint is this batch's error.
        const line = parsed.success ? parsed.data : undefined;
        const customId = line?.custom_id ?? `line-${lineNo}`;
        if (done.has(customId)) continue;
        done.add(customId);
        if (this.stopped || this.cancelled.has(id)) break;
        if (nowS() > b.expires_at) {
          await this.record(
            id,
            {
              id: resultId(id),
              custom_id: customId,
              response: null,
              error: { code: "batch_expired", message: "This request could not be executed before the completion window expired." },
            },
            counts,
          );
          continue;
        }
        if (line === undefined || line.url !== b.endpoint) {
          const message =
            line === undefined
              ? `Line ${lineNo} is not a valid batch request.`
              : `The line's url ${line.url} is not the batch's endpoint ${b.endpoint}.`;
          await this.record(
            id,
            { id: resultId(id), custom_id: customId, response: null, error: { code: "invalid_request", message } },
            counts,
          );
          continue;
        }
        while (slots.size >= this.concurrency) await Promise.race(slots);
        const gate = this.o.gate;
        await gate?.admit(() => this.stopped || this.cancelled.has(id));
        // A stop or cancel that came while this line waited: it is not sent.
        if (this.stopped || this.cancelled.has(id)) {
          gate?.done();
          break;
        }
        const p: Promise<void> = (this.executor as LineExecutor)
          .run(line, token, resultId(id))
          .then((r) => this.record(id, r, counts))
          .finally(() => {
            gate?.done();
            slots.delete(p);
          });
        slots.add(p);
        if (Date.now() - last > 1000) {
          last = Date.now();
          await this.saveCounts(id, counts);
        }
      }
      await Promise.all(slots);
      if (this.stopped) return this.saveCounts(id, counts);
    }
    const wasCancelled = this.cancelled.delete(id);
    b = (await batches.get(id)) as BatchState;
    b.request_counts = {
      total: Math.max(counts.total, counts.completed + counts.failed),
      completed: counts.completed,
      failed: counts.failed,
    };
    const cancelled = b.status === "cancelling" || wasCancelled;
    if (cancelled) b.cancelling_at ??= nowS();
    if (!cancelled) {
      b.status = "finalizing";
      b.finalizing_at ??= nowS();
    }
    await batches.save(b);
    await finalizeBatch(this.o.files, this.o.batches, b, cancelled);
  }

  private async record(id: string, r: ResultLine, counts: { completed: number; failed: number }): Promise<void> {
    await this.o.batches.appendResult(id, JSON.stringify(r));
    if (r.error === null && r.response !== null && r.response.status_code < 300) counts.completed++;
    else counts.failed++;
  }

  private async saveCounts(id: string, counts: BatchState["request_counts"]): Promise<void> {
    const b = await this.o.batches.get(id);
    if (b === undefined || this.cancelled.has(id)) return;
    // Cancelled by another process (a replica answering the client, the runner being a health worker).
    if (b.status === "cancelling") {
      this.cancelled.add(id);
      return;
    }
    b.request_counts = { total: counts.total, completed: counts.completed, failed: counts.failed };
    await this.o.batches.save(b);
  }

  private async fail(b: BatchState, code: string, message: string): Promise<void> {
    b.status = "failed";
    b.failed_at = nowS();
    b.errors = { object: "list", data: [{ code, message, line: null }] };
    await this.o.batches.save(b);
  }
}
