import { randomBytes } from "node:crypto";
import { join } from "node:path";
import type { Logger } from "@ai-router/logger";
import type { Endpoint } from "../endpoints/endpoint.js";
import type { FilePurpose, FileStore } from "../files/file-store.js";
import { filesEndpoints } from "../files/files-endpoints.js";
import { LocalFileStore } from "../files/local-file-store.js";
import { DEFAULT_FILE_LIMITS } from "../files/upload-form.js";
import { sweepUploads } from "../files/upload-state.js";
import { uploadsEndpoints } from "../files/uploads-endpoints.js";
import { fineTuningEndpoints } from "../fine-tuning/ft-endpoints.js";
import { type FtJobStore, LocalFtJobs } from "../fine-tuning/ft-jobs.js";
import { offlineAdminEndpoints } from "../fine-tuning/offline-admin.js";
import { offlineAdminActions } from "../fine-tuning/offline-admin-actions.js";
import { privateModels } from "../fine-tuning/private-models.js";
import type { OfflineUsage } from "../record/offline-usage.js";
import type { RuntimeTable } from "../routing/runtime-table.js";
import { BatchAuth } from "./batch-auth.js";
import { BatchGate, type GateHost } from "./batch-gate.js";
import type { BatchQueue } from "./batch-queue.js";
import { BatchRunner, type RunnerHost } from "./batch-runner.js";
import type { BatchStore } from "./batch-state.js";
import { batchesEndpoints } from "./batches-endpoints.js";
import type { PaceOptions } from "./live-pace.js";
import { LocalBatchStore } from "./local-batch-store.js";
import { LocalNativeMessageBatches, type MessageBatchLinks } from "./message-batch-native.js";
import { MessageBatchPoll } from "./message-batch-poll.js";
import { messageBatchesEndpoints } from "./message-batches.js";

export interface OfflineOptions {
  /** The data folder: `files/` and `batches/` under it (standalone stores). */
  dir: string;
  logger: Logger;
  /** Batch lines in flight at once (default 8). */
  concurrency?: number;
  /** How batch lines keep below live traffic (live-pace.ts). */
  pace?: Partial<PaceOptions>;
  /** How often batches at a provider's own batch API are polled (default 30 s). */
  nativePollMs?: number;
  /** Standalone: the shortest and longest waits of the poll that charges Message Batches passed through (default 30 s, 10 min). */
  messageBatchPollMs?: { min: number; max: number };
  fileLimits?: Partial<Record<FilePurpose, number>>;
  /** Other stores than the local folder's. */
  files?: FileStore;
  batches?: BatchStore;
  jobs?: FtJobStore;
  /** Message Batches passed through to Anthropic. */
  messageBatches?: MessageBatchLinks;
  /** Where offline work the router did not proxy line by line is charged: native batch lines, fine-tuning. */
  usage?: OfflineUsage;
  /**
   * Cluster mode: created batches go to the health worker's queue (no runner in this process), batch
   * lines are signed with this shared secret, and fine-tuned models are reloaded from `jobs` every
   * `modelsRefreshMs` (a job another replica or the worker saw succeed becomes routable here too).
   */
  cluster?: { queue: BatchQueue; secret: Buffer; modelsRefreshMs?: number };
}

/** The Files, Batches and Fine-tuning APIs of one proxy: their endpoints, the batch lines' signer, and the runner. */
export interface OfflineApis {
  endpoints: Endpoint[];
  auth: BatchAuth;
  /** The secret batch lines are signed with (standalone: this process's own; a batch lane is given it). */
  lineSecret: Buffer;
  /** Holds batch lines below live traffic: the runner's (standalone), or at the front door (cluster: give it to createProxy). */
  gate: BatchGate;
  runner: BatchRunner;
  /** The admin's endpoints (every key's objects, sharing fine-tuned models), standalone with `server.admin_token`. */
  adminEndpoints(adminToken: () => string | undefined, logger?: Logger): Endpoint[];
  /** Starts the runner once the proxy listens (resumes unfinished batches); the gate follows the proxy. */
  start(host: RunnerHost & GateHost): Promise<void>;
  stop(): Promise<void>;
}

export function offlineApis(o: OfflineOptions): OfflineApis {
  const files = o.files ?? new LocalFileStore(join(o.dir, "files"));
  const batches = o.batches ?? new LocalBatchStore(join(o.dir, "batches"));
  const jobs = o.jobs ?? new LocalFtJobs(join(o.dir, "fine-tuning"));
  const lineSecret = o.cluster?.secret ?? randomBytes(32);
  const auth = new BatchAuth(lineSecret);
  const gate = new BatchGate(o.pace);
  const runner = new BatchRunner({
    files,
    batches,
    auth,
    logger: o.logger,
    // Standalone the runner's lines wait for the gate before they are sent; in a cluster, at the front door.
    ...(o.cluster === undefined ? { gate } : {}),
    ...(o.concurrency !== undefined ? { concurrency: o.concurrency } : {}),
    ...(o.nativePollMs !== undefined ? { nativePollMs: o.nativePollMs } : {}),
    ...(o.usage ? { usage: o.usage } : {}),
  });
  const natives = o.messageBatches ?? new LocalNativeMessageBatches(join(o.dir, "message-batches"));
  // Created and cancelled batches go to the health worker's queue in a cluster, else to this process's runner.
  const queue = o.cluster?.queue ?? runner;
  // Standalone: Message Batches passed through are charged when they end, read by a client or not.
  let table: () => RuntimeTable | undefined = () => undefined;
  const poll =
    o.cluster === undefined && o.usage !== undefined
      ? new MessageBatchPoll({
          links: natives,
          table: () => table(),
          usage: o.usage,
          logger: o.logger,
          ...(o.messageBatchPollMs ? { minMs: o.messageBatchPollMs.min, maxMs: o.messageBatchPollMs.max } : {}),
        })
      : undefined;
  let refresh: NodeJS.Timeout | undefined;
  let sweep: NodeJS.Timeout | undefined;
  return {
    endpoints: [
      ...filesEndpoints({ store: files, ...(o.fileLimits ? { limits: o.fileLimits } : {}) }),
      ...uploadsEndpoints(files, Object.assign({}, DEFAULT_FILE_LIMITS, o.fileLimits)),
      ...batchesEndpoints({ files, batches, runner: queue }),
      ...fineTuningEndpoints({ files, jobs, models: privateModels, ...(o.usage ? { usage: o.usage } : {}) }),
      // Anthropic's Message Batches on the same machinery (passed through to Anthropic where it serves every model).
      ...messageBatchesEndpoints({
        files,
        batches,
        runner: queue,
        natives,
        ...(o.usage ? { usage: o.usage } : {}),
        ...(poll ? { passed: () => poll.kick() } : {}),
      }),
    ],
    auth,
    lineSecret,
    gate,
    runner,
    adminEndpoints: (adminToken, logger) => [
      ...offlineAdminEndpoints({ files, batches, jobs, models: privateModels, adminToken, ...(logger ? { logger } : {}) }),
      // The console's actions: download and delete files, cancel batches and jobs, a job's events.
      ...offlineAdminActions({ files, batches, runner: queue, jobs, adminToken, ...(logger ? { logger } : {}) }),
    ],
    async start(host) {
      gate.attach(host);
      // Models fine-tuned before a restart are routable again for their owners.
      await loadPrivateModels(jobs);
      // Uploads never completed are removed with their parts an hour after they expire (any replica may).
      sweep = setInterval(() => {
        sweepUploads(files).catch((err) => o.logger.warn({ err: (err as Error).message }, "expired uploads not swept"));
      }, 600_000);
      sweep.unref();
      if (o.cluster === undefined) {
        table = host.table;
        if (poll && (await natives.uncharged()).length > 0) poll.kick();
        return runner.start(host);
      }
      const every = o.cluster.modelsRefreshMs ?? 2_000;
      refresh = setInterval(() => {
        loadPrivateModels(jobs).catch((err) => o.logger.warn({ err: (err as Error).message }, "fine-tuned models not reloaded"));
      }, every);
      refresh.unref();
    },
    stop: async () => {
      if (refresh) clearInterval(refresh);
      if (sweep) clearInterval(sweep);
      await poll?.stop();
      return runner.stop();
    },
  };
}

/** Makes every succeeded job's fine-tuned model routable for its owner (and the keys it is shared with). */
async function loadPrivateModels(jobs: FtJobStore): Promise<void> {
  for (const j of jobs.succeeded ? await jobs.succeeded() : (await jobs.all()).values()) {
    if (j.status === "succeeded" && j.fine_tuned_model) {
      privateModels.add({ name: j.fine_tuned_model, owner: j.owner, sharedWith: j.shared_with, base: j.model, provider: j.provider });
    }
  }
}
