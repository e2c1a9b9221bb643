import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Logger } from "@ai-router/logger";
import { createReasoningSealer } from "@ai-router/providers";
import type { BatchAuth } from "./batches/batch-auth.js";
import type { BatchGate } from "./batches/batch-gate.js";
import type { Endpoint } from "./endpoints/endpoint.js";
import { EndpointRouter } from "./endpoints/endpoint-router.js";
import { modelEndpoints } from "./endpoints/model-endpoints.js";
import { compatHealthEndpoints } from "./handlers/compat/health-routes.js";
import { loadBalancingEndpoints } from "./handlers/compat/load-balancing.js";
import { providerRankingEndpoints } from "./handlers/compat/provider-ranking.js";
import { operationsEndpoints } from "./handlers/operations/operations-endpoints.js";
import { createRequestHandler, type Flight } from "./http/serve-request.js";
import { DEFAULT_CLIENT_STALL_MS, StallWatch } from "./http/stall-watch.js";
import type { SharedLimits } from "./limits/shared-limits.js";
import type { AccessLog } from "./record/access-log.js";
import { RequestEnd } from "./record/request-end.js";
import type { RequestFinishedListener } from "./record/request-record.js";
import { UsageRecorder } from "./record/usage-recorder.js";
import type { UsageSink } from "./record/usage-sink.js";
import { MemoryResponseStore, type ResponseStore } from "./responses/store.js";
import type { RuntimeTable } from "./routing/runtime-table.js";
import type { TableStore } from "./routing/table-store.js";
import type { OtlpExporter } from "./tracing/otlp-exporter.js";
import { DEPRECATED_PATHS } from "./versions/deprecated-paths.js";
import { Deprecations } from "./versions/deprecation.js";
import { versionRoute } from "./versions/version.js";
import { ClientSecrets, clientSecretsEndpoint } from "./websocket/client-secrets.js";
import { DEFAULT_WS_OPTIONS, SocketHub, type WebSocketOptions } from "./websocket/socket-hub.js";

/** An endpoint the proxy serves (endpoints/endpoint.ts); the name the route lists used before. */
export type Route = Endpoint;

export interface ProxyOptions {
  store: TableStore;
  logger: Logger;
  /** One line per request (usage, cost, outcome); none = no access log. */
  accessLog?: AccessLog;
  /** Answers requests no endpoint matched (cluster mode forwards admin paths here). */
  fallback?: (req: IncomingMessage, res: ServerResponse) => boolean;
  /** Runs before routing; returns true when it answered (cluster mode forwards `/v1/stats` to the control plane). */
  intercept?: (req: IncomingMessage, res: ServerResponse, path: string) => boolean;
  /** Where each finished request's usage record goes (ledger, `usage_log`, metrics); none = no records built. */
  usageSink?: UsageSink;
  /** This replica's name in usage records. */
  replica?: string;
  /** Serves `GET /metrics` (Prometheus text) from this registry. */
  metrics?: { metrics(): Promise<string>; contentType: string };
  /** When set, `/metrics` asks for `Authorization: Bearer <token>`. */
  metricsToken?: string;
  /** `/metrics` open without a token even while client keys are required (default: closed then). */
  metricsPublic?: boolean;
  /** Exports one span per request and per upstream attempt (OTLP/HTTP); none = no traces, no cost. */
  tracer?: OtlpExporter;
  /** The Responses API's state and reasoning seal; defaults: a bounded in-memory store and a random secret. */
  responses?: ResponsesOptions;
  /** A response whose client reads nothing for this long is cut, freeing its upstream connection. */
  clientStallMs?: number;
  /** Cluster mode with Redis: client-key limits counted cluster-wide (checked in the attempt pipeline). */
  sharedLimits?: SharedLimits;
  /** Told about every request when it ends: outcome, attempt chain, usage, timings (a usage ledger). */
  onRequestFinished?: RequestFinishedListener;
  /** Checks the batch runner's signed lines (batches/offline-apis.ts); none: no batch lines accepted. */
  batchAuth?: BatchAuth;
  /** Holds batch lines sent from outside the process below live traffic (cluster mode: batches/batch-gate.ts). */
  batchGate?: BatchGate;
  /** Limits of the WebSocket endpoints (Responses WebSocket mode); defaults in websocket/socket-hub.ts. */
  websocket?: Partial<WebSocketOptions>;
}

export interface ResponsesOptions {
  /** Where stored responses live (Redis in cluster mode); default in memory, bounded. */
  store?: ResponseStore;
  /** Seals reasoning state in `encrypted_content`; default a random one (sealed items then die with the process). */
  secret?: string | Buffer;
}

/** Stored responses kept in memory when no store is given: 24 h, at most 10000 (least recently used go first). */
export const DEFAULT_RESPONSES_TTL_MS = 24 * 3600_000;
export const DEFAULT_RESPONSES_MAX = 10_000;

export interface Proxy {
  server: Server;
  usage: UsageRecorder;
  /** Adds a listener told about every request when it ends (see {@link RequestFinished}). */
  onRequestFinished(listener: RequestFinishedListener): void;
  /** Adds a declared endpoint (standalone admin, docs). */
  addRoute(endpoint: Endpoint): void;
  /** Stops accepting, lets in-flight requests (streams included) finish up to `graceMs`, then closes. */
  shutdown(graceMs: number): Promise<void>;
  inFlight(): number;
  /** Requests in flight that are not batch lines. */
  liveInFlight(): number;
  /** Open WebSockets. */
  sockets(): number;
}

/**
 * The proxy: the declared endpoints (the model API, the router's own, the original product's compatible
 * ones) in one router, the request handler (http/serve-request.ts), and the graceful drain.
 */
export function createProxy(opts: ProxyOptions): Proxy {
  const { store, logger } = opts;
  const usage = new UsageRecorder(opts.accessLog);
  if (opts.onRequestFinished) usage.onFinished(opts.onRequestFinished);
  // Limiters follow the served table's keys (limits, cluster spend baseline); their windows outlive swaps.
  const applyKeys = (t: RuntimeTable) => usage.keyLimits.applyTable(t.clientKeys.values(), Date.parse(t.generatedAt) || 0);
  if (store.current) applyKeys(store.current);
  store.onSwap(applyKeys);
  const stalls = new StallWatch(opts.clientStallMs ?? DEFAULT_CLIENT_STALL_MS, (_res, ms) =>
    logger.warn({ stalledMs: Math.round(ms) }, "client stopped reading; response cut to free its upstream connection"),
  );
  const flight: Flight = { inFlight: 0, batchLines: 0, draining: false, idle: undefined };
  const responseStore: ResponseStore =
    opts.responses?.store ?? new MemoryResponseStore({ ttlMs: DEFAULT_RESPONSES_TTL_MS, maxEntries: DEFAULT_RESPONSES_MAX });
  const secret = opts.responses?.secret ?? randomBytes(32);
  const sealer = createReasoningSealer(secret);
  // Realtime client secrets are signed with the same replica-wide secret: any replica accepts them.
  const secrets = new ClientSecrets(secret);

  // Deprecated paths answer with RFC 9745/8594 headers and are counted (versions/deprecated-paths.ts).
  const deprecations = new Deprecations(DEPRECATED_PATHS);
  const router = new EndpointRouter();
  const endpoints = [
    ...modelEndpoints(responseStore, sealer),
    clientSecretsEndpoint(secrets),
    ...operationsEndpoints({
      store,
      usage,
      stalls,
      started: Date.now(),
      draining: () => flight.draining,
      metrics: opts.metrics,
      metricsToken: opts.metricsToken,
      metricsPublic: opts.metricsPublic,
      metricsExtra: () => deprecations.metricsText() + hub.metricsText(),
    }),
    versionRoute(),
    ...loadBalancingEndpoints(),
    ...compatHealthEndpoints(),
    ...providerRankingEndpoints(),
  ];
  const add = (e: Endpoint) => router.add(deprecations.wrap(e));
  for (const e of endpoints) add(e);

  const ends = new RequestEnd(usage, opts.usageSink, opts.replica ?? "standalone", logger, opts.sharedLimits, opts.tracer);
  const onRequest = createRequestHandler(
    {
      store,
      logger,
      router,
      ends,
      usage,
      stalls,
      sharedLimits: opts.sharedLimits,
      tracer: opts.tracer,
      fallback: opts.fallback,
      intercept: opts.intercept,
      batchAuth: opts.batchAuth,
      batchGate: opts.batchGate,
    },
    flight,
  );
  const server = createServer(
    { keepAliveTimeout: 65_000, requestTimeout: 120_000, headersTimeout: 60_000 },
    (req, res) => void onRequest(req, res),
  );
  // WebSocket turns are served by the same request handler: one request of the pipeline each.
  const hub = new SocketHub(store, onRequest, logger, { ends, usage, secrets }, Object.assign({}, DEFAULT_WS_OPTIONS, opts.websocket));
  server.on("upgrade", (req, socket, head) => hub.upgrade(req, socket, head));
  server.on("clientError", (_err, socket) => {
    if (socket.writable) socket.end("HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n");
    else socket.destroy();
  });

  return {
    server,
    usage,
    addRoute: add,
    onRequestFinished: (l) => usage.onFinished(l),
    inFlight: () => flight.inFlight,
    liveInFlight: () => flight.inFlight - flight.batchLines,
    sockets: () => hub.size,
    async shutdown(graceMs: number) {
      flight.draining = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      // Sockets close with 1001 once their turn in flight ended (those turns count in flight below).
      const socketsClosed = hub.shutdown(graceMs);
      if (flight.inFlight > 0) {
        await new Promise<void>((resolve) => {
          flight.idle = resolve;
          setTimeout(resolve, graceMs).unref();
        });
      }
      await socketsClosed;
      server.closeAllConnections();
      stalls.close();
      await closed;
      await store.close();
      await responseStore.close?.();
    },
  };
}
