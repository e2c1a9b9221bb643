import { createServer, type Server } from "node:http";
import { publishSigned } from "@ai-router/cluster";
import {
  bearerTokenCheck,
  createSigner,
  decryptSecret,
  HealthProbeJob,
  healthDefaults,
  healthQueue,
  natsSubjects,
  type ProbeReport,
  type RoutingTable,
} from "@ai-router/contracts";
import type { Logger } from "@ai-router/logger";
import { probeProvider } from "@ai-router/providers";
import { type Job, Queue, Worker } from "bullmq";
import { Redis } from "ioredis";
import pg from "pg";
import type { HealthWorkerEnv } from "./env.js";
import { LedgerWriter } from "./ledger/ledger-writer.js";
import { startRetention } from "./ledger/retention.js";
import { loadOfflineJobs, type OfflineEnv } from "./offline/load-offline.js";
import { closeUnusedPools, type ProbedProvider, probeTargets } from "./probe-targets.js";
import { ProbeResults } from "./results.js";
import { reconcileSchedulers } from "./scheduler.js";
import { TableWatcher } from "./table-watcher.js";
import { WorkerMetrics } from "./worker-metrics.js";

export interface HealthWorker {
  server: Server;
  /** The usage ledger writer, when DATABASE_URL is set. */
  ledger: LedgerWriter | undefined;
  /** Stops taking jobs (running probes finish), then closes the queue, NATS, Redis and the HTTP port. */
  close(): Promise<void>;
}

type Env = Pick<
  HealthWorkerEnv,
  | "REDIS_URL"
  | "NATS_URL"
  | "bucket"
  | "masterKey"
  | "HEALTH_PROBE_INTERVAL_MS"
  | "HEALTH_CONCURRENCY"
  | "HEALTH_PROBE_TIMEOUT_MS"
  | "HEALTH_LATENCY_SAMPLES"
> &
  Partial<
    Pick<
      HealthWorkerEnv,
      | "DATABASE_URL"
      | "USAGE_RETENTION_DAYS"
      | "ROUTER_METRICS_TOKEN"
      | "ROUTER_METRICS_LEGACY_NAMES"
      | "LEDGER_ACCEPT_UNSIGNED_UNTIL"
      | "ROUTER_BATCH_PROXY_URL"
    >
  > &
  OfflineEnv;

/**
 * Wires the worker: the routing table from NATS KV -> one BullMQ job scheduler per probed provider ->
 * probes -> results in Redis and a ProbeReport on `natsSubjects.health(bucket)` for the proxies.
 */
export function startHealthWorker(env: Env, logger: Logger): HealthWorker {
  const redis = new Redis(env.REDIS_URL, { maxRetriesPerRequest: null, lazyConnect: false });
  redis.on("error", (err) => logger.debug({ err: err.message }, "redis connection error"));
  const prefix = healthQueue.prefix(env.bucket);
  const queue = new Queue<HealthProbeJob>(healthQueue.name, { connection: redis, prefix });
  queue.on("error", (err) => logger.warn({ err: err.message }, "health queue error"));
  const metrics = new WorkerMetrics({ legacyNames: env.ROUTER_METRICS_LEGACY_NAMES });
  // Tables and usage batches are accepted, probe reports published, only with a signature under ROUTER_MASTER_KEY.
  const signer = createSigner(env.masterKey);
  const pool = env.DATABASE_URL ? new pg.Pool({ connectionString: env.DATABASE_URL, max: 4 }) : undefined;
  pool?.on("error", (err) => logger.warn({ err: err.message }, "postgres pool error"));
  const ledger = pool
    ? new LedgerWriter({
        pool,
        redis,
        bucket: env.bucket,
        logger,
        signer,
        onWritten: (rows, lag) => {
          metrics.ledgerRows.inc(rows);
          metrics.ledgerLag.set(lag);
        },
        onRejected: (reason) => metrics.ledgerRejected.inc({ reason }),
        onUnsignedAccepted: (n) => metrics.ledgerUnsignedAccepted.inc(n),
        ...(env.LEDGER_ACCEPT_UNSIGNED_UNTIL ? { acceptUnsignedUntil: Date.parse(env.LEDGER_ACCEPT_UNSIGNED_UNTIL) } : {}),
        onDeadLetters: (reason, n) => metrics.ledgerDeadLetters.inc({ reason }, n),
      })
    : undefined;
  const retention = pool ? startRetention({ redis, pool, bucket: env.bucket, days: env.USAGE_RETENTION_DAYS ?? 90, logger }) : undefined;
  // Cluster mode's batches and fine-tuning jobs (docs/files-batches.md): with the database and a proxy to send lines through.
  const offline =
    pool && env.ROUTER_BATCH_PROXY_URL ? loadOfflineJobs(env, env.ROUTER_BATCH_PROXY_URL, { redis, pool, signer, logger }) : undefined;
  const results = new ProbeResults(redis, env.bucket, env.HEALTH_LATENCY_SAMPLES, env.HEALTH_PROBE_INTERVAL_MS);
  let targets = new Map<string, ProbedProvider>();
  /** Until a first table is read, this replica knows nothing and must not touch the shared schedules. */
  let loaded = false;
  let closing = false;

  let reconciling: Promise<void> = Promise.resolve();
  const reconcile = () => {
    // One reconciliation at a time, always against the latest table.
    reconciling = reconciling.then(async () => {
      if (closing || !loaded) return;
      try {
        const r = await reconcileSchedulers(queue, targets.keys(), env.HEALTH_PROBE_INTERVAL_MS);
        for (const p of r.removed) await results.forget(p);
        if (r.added.length > 0 || r.removed.length > 0) {
          logger.info({ added: r.added, removed: r.removed, everyMs: env.HEALTH_PROBE_INTERVAL_MS }, "probe schedules updated");
        }
      } catch (err) {
        logger.warn({ err: (err as Error).message }, "cannot update probe schedules; retrying at the next resync");
      }
    });
  };

  const onTable = (table: RoutingTable, source: string) => {
    const next = probeTargets(table, (s) => decryptSecret(s, env.masterKey), targets);
    for (const s of next.skipped) logger.warn({ provider: s.provider, reason: s.reason, source }, "provider not probed");
    for (const w of next.warnings) logger.warn({ revision: table.revision, source }, w);
    void closeUnusedPools(targets, next.providers);
    targets = next.providers;
    loaded = true;
    offline?.onTable(table, source);
    logger.info({ revision: table.revision, source, probed: [...targets.keys()] }, "routing table applied");
    reconcile();
  };
  const watcher = new TableWatcher({
    natsUrl: env.NATS_URL,
    bucket: env.bucket,
    signer,
    logger,
    onTable,
    onResync: reconcile,
    onConnect: (nc) => {
      ledger?.start(nc);
      offline?.onConnect(nc);
    },
  });

  const publish = (report: ProbeReport) => {
    const nc = watcher.connection;
    // Disconnected: Redis has the result, the next probe reports again.
    if (nc) publishSigned(nc, signer, natsSubjects.health(env.bucket), report);
  };

  const processor = async (job: Job<HealthProbeJob>): Promise<ProbeReport | undefined> => {
    const data = HealthProbeJob.safeParse(job.data);
    if (!data.success) {
      logger.warn({ jobId: job.id, problem: data.error.issues[0]?.message }, "malformed probe job dropped");
      return undefined;
    }
    const target = targets.get(data.data.provider);
    if (!target) return undefined; // left the table (its scheduler goes at the next reconciliation) or keys unusable
    const r = await probeProvider(target, { maxTimeoutMs: env.HEALTH_PROBE_TIMEOUT_MS, apiKey: target.nextKey() });
    const { report, previousFailures } = await results.record(data.data.provider, target.provider.type, r, Date.now());
    publish(report);
    metrics.probes.inc({ provider: data.data.provider, result: report.ok ? "ok" : "failed" });
    logProbe(logger, report, previousFailures);
    return report;
  };
  const worker = new Worker<HealthProbeJob>(healthQueue.name, processor, {
    connection: redis,
    prefix,
    concurrency: env.HEALTH_CONCURRENCY,
    autorun: true,
  });
  worker.on("error", (err) => logger.warn({ err: err.message }, "health worker error"));
  worker.on("failed", (job, err) => logger.warn({ provider: job?.data?.provider, err: err.message }, "probe job failed"));

  watcher.start();

  const metricsCheck = env.ROUTER_METRICS_TOKEN ? bearerTokenCheck(env.ROUTER_METRICS_TOKEN) : undefined;
  const server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (req.method === "GET" && path === "/metrics") {
      if (metricsCheck && metricsCheck(req.headers.authorization) !== "ok") {
        res
          .writeHead(401, { "content-type": "application/json", "www-authenticate": "Bearer" })
          .end('{"error":"a valid metrics token is required"}');
        return;
      }
      void metrics.metrics().then((text) => res.writeHead(200, { "content-type": metrics.registry.contentType }).end(text));
      return;
    }
    if (req.method !== "GET" || path !== "/health") {
      res.writeHead(404, { "content-type": "application/json" }).end('{"error":"not found"}');
      return;
    }
    const ready = !closing && redis.status === "ready";
    const body = {
      status: ready ? "ok" : closing ? "stopping" : "redis_unavailable",
      redis: redis.status,
      nats: watcher.connection !== undefined && !watcher.connection.isClosed(),
      bucket: env.bucket,
      revision: watcher.currentRevision < 0 ? null : watcher.currentRevision,
      probed: targets.size,
    };
    res.writeHead(ready ? 200 : 503, { "content-type": "application/json" }).end(JSON.stringify(body));
  });

  return {
    server,
    ledger,
    async close() {
      closing = true;
      await offline?.close();
      await ledger?.close();
      // Bounded: without Redis the BullMQ worker would wait for a reconnection forever.
      if (retention) await Promise.race([retention.close(), new Promise((r) => setTimeout(r, 2_000).unref())]);
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      if (redis.status !== "ready") {
        // Nothing can be finished without Redis, and its commands would wait for a reconnection forever.
        redis.disconnect();
        await Promise.all([worker.close(true), queue.close()].map((p) => p.catch(() => {})));
      } else {
        await worker.close().catch(() => {}); // running probes finish and store their result
        await reconciling;
        await queue.close().catch(() => {});
        await redis.quit().catch(() => redis.disconnect());
      }
      await watcher.close();
      // The probes' connection pools (their egress proxies' tunnels included).
      await closeUnusedPools(targets, new Map());
      await pool?.end().catch(() => {});
      await closed;
    },
  };
}

/** Changes of state at warn/info (first failure, the failure that takes the provider out, recovery); the rest at debug. */
function logProbe(logger: Logger, report: ProbeReport, previousFailures: number): void {
  const log = { provider: report.provider, ok: report.ok, status: report.status, latencyMs: report.latencyMs };
  if (report.ok) {
    if (previousFailures > 0) logger.info(Object.assign(log, { after: previousFailures }), "provider probe ok again");
    else logger.debug(log, "probe ok");
    return;
  }
  const n = report.consecutiveFailures;
  const detail = Object.assign(log, { consecutiveFailures: n, error: report.error });
  if (n === 1 || n === healthDefaults.failureThreshold || n % 100 === 0) logger.warn(detail, "provider probe failed");
  else logger.debug(detail, "provider probe failed");
}
