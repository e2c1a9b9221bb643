import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { ConfigError } from "@ai-router/config";
import { createLogger, exitOnSignals } from "@ai-router/logger";
import { BatchLane } from "./batches/batch-lane.js";
import { batchPace } from "./batches/live-pace.js";
import { offlineApis } from "./batches/offline-apis.js";
import { docsEndpoints } from "./docs/docs-routes.js";
import { ProxyEnv } from "./env.js";
import { openFileStore } from "./files/open-file-store.js";
import { standaloneAdminEndpoints } from "./handlers/operations/standalone-admin.js";
import { ProxyMetrics } from "./metrics/proxy-metrics.js";
import { createAccessLog } from "./record/access-log.js";
import { createJsonlSink } from "./record/jsonl-sink.js";
import { countedSink } from "./record/offline-usage.js";
import { fanOut, type UsageSink } from "./record/usage-sink.js";
import { MemoryResponseStore } from "./responses/store.js";
import { TableStore } from "./routing/table-store.js";
import { createProxy, DEFAULT_RESPONSES_MAX, type ResponsesOptions } from "./server.js";
import { ConfigReloader, loadStandaloneTable } from "./standalone.js";
import { OtlpExporter, otlpHeaders, otlpTracesUrl } from "./tracing/otlp-exporter.js";

const envResult = ProxyEnv.safeParse(process.env);
if (!envResult.success) {
  process.stderr.write(`invalid environment: ${envResult.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}\n`);
  process.exit(2);
}
const env = envResult.data;
const logger = createLogger({ name: "proxy", level: env.LOG_LEVEL });

const replica =
  env.ROUTER_REPLICA ??
  `${hostname()
    .replace(/[^A-Za-z0-9._-]/g, "_")
    .slice(0, 40)}-${process.pid}-${randomUUID().slice(0, 6)}`;
let accessLog = true;
let usageLogPath: string | undefined;
let metrics: ProxyMetrics | undefined;
let responses: ResponsesOptions = {};
let graceMs = env.SHUTDOWN_GRACE_MS;
let store: TableStore;
let reloader: ConfigReloader | undefined;
let cluster: ReturnType<typeof import("./cluster/start-cluster.js")["createCluster"]> | undefined;
if (env.NATS_URL) {
  // Cluster mode: tables arrive over NATS; admin paths go to the control plane.
  // Loaded only in cluster mode: standalone never pays for the NATS client and http-proxy.
  const { createCluster } = await import("./cluster/start-cluster.js");
  try {
    cluster = createCluster(Object.assign({}, env, { NATS_URL: env.NATS_URL }), logger, replica, () => metrics?.dropped.inc());
  } catch (err) {
    process.stderr.write(`invalid environment: ${(err as Error).message}\n`);
    process.exit(2);
  }
  store = cluster.store;
  const { openClusterResponseStore } = await import("./responses/open-store.js");
  responses = {
    store: await openClusterResponseStore(
      env,
      env.ROUTER_RESPONSES_TTL_S * 1000,
      { maxEntries: DEFAULT_RESPONSES_MAX, maxBytes: env.ROUTER_RESPONSES_MAX_BYTES },
      logger,
    ),
    // Every replica opens what any replica sealed: the secret derives from the shared master key.
    ...(env.ROUTER_MASTER_KEY ? { secret: `responses:${env.ROUTER_MASTER_KEY}` } : {}),
  };
} else {
  store = new TableStore(logger, { poolWaitMs: env.ROUTER_POOL_WAIT_MS });
  try {
    const cfg = loadStandaloneTable(env.ROUTER_CONFIG, store, logger);
    accessLog = cfg.server.access_log;
    usageLogPath = cfg.server.usage_log;
    graceMs = cfg.server.shutdown_grace_ms;
    // router.yaml is reloaded on SIGHUP and when it changes; a bad file keeps the last good table.
    reloader = new ConfigReloader(env.ROUTER_CONFIG, store, logger, cfg);
    const r = cfg.server.responses;
    responses = {
      store: new MemoryResponseStore({
        ttlMs: (r?.ttl_s ?? 86_400) * 1000,
        maxEntries: r?.max_stored ?? DEFAULT_RESPONSES_MAX,
        ...(r?.max_bytes !== undefined ? { maxBytes: r.max_bytes } : {}),
      }),
      ...(r?.secret ? { secret: r.secret } : {}),
    };
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
}

// The access log's records carry only fields the recorder picks (never headers or keys): no redaction needed.
const accessLogger = accessLog && env.LOG_LEVEL !== "silent" ? createAccessLog() : undefined;
let proxyRef: { inFlight(): number; usage: import("./record/usage-recorder.js").UsageRecorder } | undefined;
metrics = new ProxyMetrics(store, () => proxyRef?.inFlight() ?? 0, { legacyNames: env.ROUTER_METRICS_LEGACY_NAMES });
const usageLog = usageLogPath ? createJsonlSink(usageLogPath) : undefined;
const sinks: UsageSink[] = [metrics];
if (cluster) sinks.push(cluster.ledger);
if (usageLog) sinks.push(usageLog);
const tracesUrl = otlpTracesUrl(process.env);
const tracer = tracesUrl
  ? new OtlpExporter(
      { url: tracesUrl, serviceName: process.env.OTEL_SERVICE_NAME ?? "ai-router-proxy", logger, headers: otlpHeaders(process.env) },
      (p) => store.current?.providers.get(p)?.config.type,
    )
  : undefined;
// Files, Batches and Fine-tuning: standalone, a local folder and an in-process runner; in a cluster (with
// DATABASE_URL and REDIS_URL), state in PostgreSQL and batches run by the health worker.
// Native batch lines and fine-tuning jobs are charged to the same sinks as requests (the ledger in a cluster).
const usageSink = fanOut(sinks);
const offlineSink =
  usageSink && !cluster
    ? countedSink(
        usageSink,
        () => proxyRef?.usage,
        () => store.current,
      )
    : usageSink;
const offlineUsage = offlineSink ? { sink: offlineSink, replica } : undefined;
let clusterOffline: import("./batches/open-cluster-offline.js").ClusterOffline | undefined;
if (cluster && env.DATABASE_URL && env.REDIS_URL && env.ROUTER_MASTER_KEY) {
  const { openClusterOffline } = await import("./batches/open-cluster-offline.js");
  const db = { DATABASE_URL: env.DATABASE_URL, REDIS_URL: env.REDIS_URL, ROUTER_MASTER_KEY: env.ROUTER_MASTER_KEY };
  clusterOffline = await openClusterOffline(Object.assign({}, env, db), logger, offlineUsage);
} else if (cluster) logger.info("Files, Batches and Fine-tuning APIs off: they need DATABASE_URL and REDIS_URL in cluster mode");
const offline = cluster
  ? clusterOffline?.apis
  : offlineApis({
      dir: env.ROUTER_DATA_DIR,
      files: await openFileStore(env),
      logger,
      concurrency: env.ROUTER_BATCH_CONCURRENCY,
      pace: batchPace(env),
      messageBatchPollMs: { min: env.ROUTER_MESSAGE_BATCH_POLL_MS, max: 600_000 },
      ...(offlineUsage ? { usage: offlineUsage } : {}),
    });
const proxy = createProxy({
  store,
  ...(offline ? { batchAuth: offline.auth } : {}),
  // Standalone, the runner asks the gate before it sends a line; in a cluster the worker's lines wait at the front door.
  ...(clusterOffline ? { batchGate: clusterOffline.apis.gate } : {}),
  logger,
  replica,
  usageSink,
  metrics,
  clientStallMs: env.ROUTER_CLIENT_STALL_MS,
  ...(env.ROUTER_METRICS_TOKEN ? { metricsToken: env.ROUTER_METRICS_TOKEN } : {}),
  metricsPublic: env.ROUTER_METRICS_PUBLIC,
  ...(tracer ? { tracer } : {}),
  ...(cluster?.sharedLimits ? { sharedLimits: cluster.sharedLimits } : {}),
  responses,
  websocket: {
    maxSocketsPerKey: env.ROUTER_WS_MAX_SOCKETS_PER_KEY,
    maxMessageBytes: env.ROUTER_WS_MAX_MESSAGE_BYTES,
    idleMs: env.ROUTER_WS_IDLE_MS,
    maxBufferedBytes: env.ROUTER_WS_MAX_BUFFERED_BYTES,
  },
  ...(accessLogger ? { accessLog: accessLogger } : {}),
  ...(cluster ? { fallback: cluster.forwarder.fallback, intercept: cluster.forwarder.intercept } : {}),
});
proxyRef = proxy;
// Standalone: batch lines are served by a batch lane (a child process at the lowest CPU priority); their
// records come back here, written and counted like this process's own.
const lane =
  !cluster && offline && env.ROUTER_BATCH_LANE === "process"
    ? new BatchLane({
        secret: offline.lineSecret,
        logger,
        onRecord: (r) => offlineSink?.write(r),
        keyLimits: () => proxy.usage.keyLimits,
        table: () => store.current,
      })
    : undefined;
cluster?.start(proxy.usage);
for (const r of offline?.endpoints ?? []) proxy.addRoute(r);
if (reloader) {
  const cfg = reloader;
  for (const r of offline?.adminEndpoints(() => cfg.config.server.admin_token, logger) ?? []) proxy.addRoute(r);
  for (const r of standaloneAdminEndpoints(reloader, store, logger)) proxy.addRoute(r);
  // Cluster mode forwards /docs and /openapi.json to the control plane; standalone documents its own API.
  for (const r of docsEndpoints()) proxy.addRoute(r);
  reloader.start();
}
// The port opens (and /health answers) once the request path is warm: a new replica is not slower than an old one.
if (env.ROUTER_WARMUP === "1" && env.ROUTER_WARMUP_MS > 0) {
  const { warmUp } = await import("./warmup/warm-up.js");
  try {
    const w = await warmUp({ budgetMs: env.ROUTER_WARMUP_MS, maxRounds: env.ROUTER_WARMUP_ROUNDS });
    logger.info({ requests: w.requests, failed: w.failed, ms: Math.round(w.ms) }, "request path warmed up");
  } catch (err) {
    logger.warn({ err }, "warm-up failed; serving cold");
  }
}
proxy.server.listen(env.PORT, env.HOST, () => {
  const addr = proxy.server.address();
  const port = typeof addr === "object" && addr ? addr.port : env.PORT;
  // Servers only: a NATS_URL may carry a password.
  const mode = cluster ? { mode: "cluster", nats: cluster.servers } : { mode: "standalone", config: env.ROUTER_CONFIG };
  logger.info({ port, ...mode, revision: store.current?.revision }, "AI Router proxy listening");
  logger.flush();
  // Unfinished batches resume once the front door they send their lines through is open.
  const host = env.HOST === "0.0.0.0" || env.HOST === "::" ? "127.0.0.1" : env.HOST;
  offline
    ?.start({
      table: () => store.current,
      origin: `http://${host.includes(":") ? `[${host}]` : host}:${port}`,
      ...(lane ? { lane } : {}),
      liveInFlight: () => proxy.liveInFlight(),
      onRequestFinished: (l) => proxy.onRequestFinished(l),
    })
    .catch((err) => logger.error({ err }, "batch runner did not start"));
});

// Drains in-flight requests (streams included) for up to the grace period, then exits.
exitOnSignals(
  logger,
  () =>
    Promise.resolve(clusterOffline ? undefined : offline?.stop())
      .then(() => lane?.stop())
      .then(() => proxy.shutdown(graceMs))
      .then(() => clusterOffline?.close())
      .then(() => reloader?.stop())
      .then(() => cluster?.close())
      .then(() => tracer?.flush())
      .finally(() => {
        accessLogger?.flush();
        usageLog?.flush();
      }),
  graceMs + 5_000,
  () => ({ inFlight: proxy.inFlight() }),
);
