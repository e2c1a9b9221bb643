import { join } from "node:path";
import type { Logger } from "@ai-router/logger";
import type { Endpoint } from "../endpoints/endpoint.js";
import type { FilePurpose, FileStore } from "../files/file-store.js";
import { filesEndpoints } from "../files/files-endpoints.js";
import { LocalFileStore } from "../files/local-file-store.js";
import { BatchAuth } from "./batch-auth.js";
import { BatchRunner, type RunnerHost } from "./batch-runner.js";
import type { BatchStore } from "./batch-state.js";
import { batchesEndpoints } from "./batches-endpoints.js";
import { LocalBatchStore } from "./local-batch-store.js";

export interface OfflineOptions {
  /** The data folder: `files/` and `batches/` under it (standalone stores). */
  dir: string;
  logger: Logger;
  /** Batch lines in flight at once (default 8). */
  concurrency?: number;
  /** Batch lines wait while more live requests than this are in flight (default 32). */
  liveThreshold?: number;
  fileLimits?: Partial<Record<FilePurpose, number>>;
  /** Other stores than the local folder's. */
  files?: FileStore;
  batches?: BatchStore;
}

/** The Files and Batches APIs of one proxy: their endpoints, the batch lines' signer, and the runner. */
export interface OfflineApis {
  endpoints: Endpoint[];
  auth: BatchAuth;
  runner: BatchRunner;
  /** Starts the runner once the proxy listens (resumes unfinished batches). */
  start(host: RunnerHost): Promise<void>;
  stop(): Promise<void>;
}

export function offlineApis(o: OfflineOptions): OfflineApis {
  const files = o.files ?? new LocalFileStore(join(o.dir, "files"));
  const batches = o.batches ?? new LocalBatchStore(join(o.dir, "batches"));
  const auth = new BatchAuth();
  const runner = new BatchRunner({
    files,
    batches,
    auth,
    logger: o.logger,
    ...(o.concurrency !== undefined ? { concurrency: o.concurrency } : {}),
    ...(o.liveThreshold !== undefined ? { liveThreshold: o.liveThreshold } : {}),
  });
  return {
    endpoints: [
      ...filesEndpoints({ store: files, ...(o.fileLimits ? { limits: o.fileLimits } : {}) }),
      ...batchesEndpoints({ files, batches, runner }),
    ],
    auth,
    runner,
    start: (host) => runner.start(host),
    stop: () => runner.stop(),
  };
}
