import { decryptSecret } from "@ai-router/contracts";
import type { Logger } from "@ai-router/logger";
import type pg from "pg";
import { BatchAuth, batchLineSecret } from "./batches/batch-auth.js";
import { BatchRunner } from "./batches/batch-runner.js";
import { FINAL } from "./batches/batch-state.js";
import { chargeEndedBatches } from "./batches/message-batch-charge.js";
import type { BudgetHold } from "./batches/native-estimate.js";
import { PgBatchStore } from "./batches/pg-batch-store.js";
import { PgMessageBatchLinks } from "./batches/pg-message-batch-links.js";
import { KeyFollower } from "./cluster/key-follower.js";
import type { FileStore } from "./files/file-store.js";
import { openFileStore } from "./files/open-file-store.js";
import { PgFileStore } from "./files/pg-file-store.js";
import { FT_FINAL } from "./fine-tuning/ft-jobs.js";
import { fineTuningApiFor } from "./fine-tuning/ft-registry.js";
import { PgFtJobs } from "./fine-tuning/pg-ft-jobs.js";
import { chargeFineTuning, type OfflineUsage } from "./record/offline-usage.js";
import { TableStore } from "./routing/table-store.js";

export { RUN_JOB_OPTIONS } from "./batches/batch-queue.js";
export { SharedLimits } from "./limits/shared-limits.js";
export { LedgerPublisher } from "./record/ledger-publisher.js";
export { KeyFollower };

export interface OfflineWorkerOptions {
  /** The control plane's database (migrations applied). */
  pool: pg.Pool;
  logger: Logger;
  masterKey: Buffer;
  /** A proxy replica's front door (a load-balanced address in production): batch lines go through it. */
  proxyUrl: string;
  /** Lines of one batch in flight at once. */
  concurrency: number;
  /** Files elsewhere than the database (S3: the proxies' `ROUTER_FILES_S3_*` variables). */
  filesEnv?: Parameters<typeof openFileStore>[0];
  /** Where native batch lines and succeeded fine-tuning jobs are charged (the worker's ledger publisher). */
  usage?: OfflineUsage;
  /** Gives back the budget a batch at a provider's batch API held (in Redis) once it ended. */
  settle?: (hold: BudgetHold) => void;
}

/** Fine-tuning job statuses that never change again. */

/**
 * The health worker's side of the offline APIs (cluster mode): runs a batch (its lines through a proxy
 * replica, signed as the owning key with the secret every replica derives from the master key), reads
 * batches at a provider's own batch API once per poll, polls unfinished fine-tuning jobs (each in its
 * provider's API shape) and charges Message Batches passed through to Anthropic once they ended. Holds a
 * routing table of its own (the providers' keys opened) for the providers' batch and fine-tuning APIs.
 */
export class OfflineWorker {
  /** The routing table (apply what the table watcher reads; client keys follow `table.liveKeys`). */
  readonly table: TableStore;
  readonly batches: PgBatchStore;
  readonly jobs: PgFtJobs;
  readonly links: PgMessageBatchLinks;
  private files: FileStore | undefined;
  private runner: BatchRunner | undefined;
  private readonly auth: BatchAuth;

  constructor(private readonly o: OfflineWorkerOptions) {
    this.table = new TableStore(o.logger, { decrypt: (s) => decryptSecret(s, o.masterKey) });
    this.batches = new PgBatchStore(o.pool);
    this.jobs = new PgFtJobs(o.pool);
    this.links = new PgMessageBatchLinks(o.pool);
    this.auth = new BatchAuth(batchLineSecret(o.masterKey));
  }

  private async open(): Promise<BatchRunner> {
    if (this.runner) return this.runner;
    this.files ??= (this.o.filesEnv && (await openFileStore(this.o.filesEnv))) || new PgFileStore(this.o.pool);
    const runner = new BatchRunner({
      files: this.files,
      batches: this.batches,
      auth: this.auth,
      logger: this.o.logger,
      concurrency: this.o.concurrency,
      nativeOnce: true,
      ...(this.o.usage ? { usage: this.o.usage } : {}),
    });
    // Live traffic is each proxy's to judge (batches/batch-gate.ts): the worker sends at its concurrency.
    runner.attach({ origin: this.o.proxyUrl, table: () => this.table.current });
    this.runner ??= runner;
    return this.runner;
  }

  /** Runs a batch until it is final (or, at a provider's batch API, reads it once); true when it is final. */
  async runBatch(id: string): Promise<boolean> {
    // Without a routing table yet a batch cannot be planned (native or not): the next poll runs it.
    if (this.table.current === undefined) return false;
    const runner = await this.open();
    await runner.runNow(id);
    const b = await this.batches.get(id);
    const final = b === undefined || FINAL.has(b.status);
    if (final && b?.budget_hold) {
      // Its lines are charged in the ledger now: the estimate held at creation goes back, once.
      this.o.settle?.(b.budget_hold);
      b.budget_hold = null;
      await this.batches.save(b);
    }
    return final;
  }

  /** The batches not final yet (the poll queues a run of each: resumed, or read at the provider). */
  async unfinished(): Promise<string[]> {
    return (await this.batches.unfinished()).map((b) => b.id);
  }

  /** Reads every unfinished fine-tuning job at its provider; a success is saved (the proxies route its model). */
  async pollFineTuning(): Promise<void> {
    const table = this.table.current;
    if (table === undefined) return;
    for (const j of await this.jobs.byStatus(false)) {
      const live = table.providers.get(j.provider);
      // The provider's own API shape (OpenAI, Azure OpenAI, Together, Mistral), answered as OpenAI's job.
      const api = live && fineTuningApiFor(live);
      if (api === undefined) continue;
      try {
        // A cancel the admin asked for in the console (cluster: the control plane stores the request) is sent once.
        const cancel = j.cancel_requested && !j.cancel_sent;
        const there = cancel ? await api.cancel(j.upstream_id) : await api.retrieve(j.upstream_id);
        if (cancel) j.cancel_sent = true;
        // The console's events dialog reads the job's latest events from the stored state.
        j.events = (await api.events(j.upstream_id, { limit: 100 }).catch(() => ({ data: j.events }))).data.slice(0, 100);
        const was = j.status;
        j.last = there;
        if (typeof there.status === "string") j.status = there.status;
        if (typeof there.fine_tuned_model === "string" && there.fine_tuned_model) j.fine_tuned_model = there.fine_tuned_model;
        await this.jobs.save(j);
        if (j.status === "succeeded" && was !== "succeeded" && this.o.usage) {
          const name = table.authRequired ? this.auth.keyOf(j.owner, table)?.name : undefined;
          chargeFineTuning(j, table, this.o.usage, name);
        }
      } catch (err) {
        this.o.logger.warn({ err: (err as Error).message, job: j.id }, "fine-tuning job not read");
      }
      if (FT_FINAL.has(j.status)) this.o.logger.info({ job: j.id, status: j.status }, "fine-tuning job ended");
    }
  }

  /** Charges the Message Batches passed through to Anthropic that ended and no read has charged yet. */
  async pollMessageBatches(): Promise<void> {
    const table = this.table.current;
    const usage = this.o.usage;
    if (table === undefined || usage === undefined) return;
    await chargeEndedBatches({
      links: this.links,
      table,
      usage,
      logger: this.o.logger,
      keyName: (link) => (table.authRequired ? this.auth.keyOf(link.owner, table)?.name : undefined),
    });
  }

  /** Stops taking lines; the lines in flight finish and are kept (the batch resumes at its next run). */
  async stop(): Promise<void> {
    await this.runner?.stop();
  }
}
