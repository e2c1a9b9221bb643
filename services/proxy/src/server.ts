import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { performance } from "node:perf_hooks";
import { EmbeddingsRequest, ImageGenerationRequest } from "@ai-router/contracts";
import { RouterError, toRouterError } from "@ai-router/errors";
import type { Logger } from "@ai-router/logger";
import { createReasoningSealer } from "@ai-router/providers";
import type { RequestContext } from "./handlers/context.js";
import { imageRoutes } from "./handlers/images.js";
import { loadBalancingRoutes } from "./handlers/load-balancing.js";
import { handleCountTokens } from "./handlers/messages-count-tokens.js";
import { sendAnthropicError } from "./handlers/messages-errors.js";
import { handleGetModel, handleListModels, handleModelCacheStats } from "./handlers/models.js";
import { handlePassthrough } from "./handlers/passthrough.js";
import { poolMetricsText } from "./handlers/pool-metrics.js";
import { providerRankingRoutes } from "./handlers/provider-ranking.js";
import { seedHealthRoutes } from "./handlers/seed-health.js";
import { authenticate } from "./http/auth.js";
import { ClientAbort } from "./http/client-abort.js";
import { newRequestId } from "./http/request-id.js";
import { sendError, sendJson } from "./http/respond.js";
import { DEFAULT_CLIENT_STALL_MS, StallWatch } from "./http/stall-watch.js";
import { chatCompletionsIngress } from "./ingress/chat-completions.js";
import { geminiRoutes } from "./ingress/gemini.js";
import { ingressHandler } from "./ingress/ingress.js";
import { messagesIngress } from "./ingress/messages.js";
import { responsesIngress } from "./ingress/responses.js";
import { hasLimits, type KeyLimiter } from "./limits/key-limiter.js";
import type { SharedLimits } from "./limits/shared-limits.js";
import type { AccessLog } from "./record/access-log.js";
import { RequestEnd } from "./record/request-end.js";
import type { RequestFinishedListener } from "./record/request-record.js";
import { errorCodeOf, type RecordRoute, RequestRecord } from "./record/request-record.js";
import { UsageRecorder } from "./record/usage-recorder.js";
import type { UsageSink } from "./record/usage-sink.js";
import { responseRoutes } from "./responses/routes.js";
import { MemoryResponseStore, type ResponseStore } from "./responses/store.js";
import type { RuntimeTable } from "./routing/runtime-table.js";
import type { TableStore } from "./routing/table-store.js";
import type { OtlpExporter } from "./tracing/otlp-exporter.js";
import { RequestTrace, validTraceparent } from "./tracing/trace-context.js";

/** A route the proxy serves. `auth: false` routes answer without a client key (health). */
export interface Route {
  method: string;
  /** Exact path, or a prefix when it ends with `*`. */
  path: string;
  auth: boolean;
  /** Runs without a routing table (health, admin forwarding). */
  needsTable?: boolean;
  /** Also accepts the client key as `?key=` (Gemini's clients). */
  queryKey?: boolean;
  /** Sends this route's errors in its own envelope (Anthropic's for /v1/messages); OpenAI's by default. */
  sendError?: (res: ServerResponse, err: RouterError, headers: Record<string, string>) => void;
  handle(ctx: RequestContext, rest: string): void | Promise<void>;
  /** Requests on this route produce a usage record (once their model is known, or when refused by a limit). */
  usage?: RecordRoute;
}

/** How a route's requests are recorded: its `usage`, else its path as the endpoint (refusals only). */
function recordRouteOf(r: Route): RecordRoute {
  // The endpoint as usage records name it: /v1/chat/completions -> chat.completions.
  return r.usage ?? { ingress: "", endpoint: r.path.replace(/^\/v1\//, "").replaceAll("/", "."), estimate: "none" };
}

export interface ProxyOptions {
  store: TableStore;
  logger: Logger;
  /** One line per request (usage, cost, outcome); none = no access log. */
  accessLog?: AccessLog;
  /** Answers requests no route matched (cluster mode forwards admin paths here). */
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
  /** Adds a route (other issues' endpoints: /v1/messages, load-balancing statistics...). */
  addRoute(route: Route): void;
  /** Stops accepting, lets in-flight requests (streams included) finish up to `graceMs`, then closes. */
  shutdown(graceMs: number): Promise<void>;
  inFlight(): number;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function createProxy(opts: ProxyOptions): Proxy {
  const { store, logger } = opts;
  const usage = new UsageRecorder(opts.accessLog);
  const ends = new RequestEnd(usage, opts.usageSink, opts.replica ?? "standalone", logger, opts.sharedLimits, opts.tracer);
  const recordRoutes = new Map<Route, RecordRoute>();
  if (opts.onRequestFinished) usage.onFinished(opts.onRequestFinished);
  // Limiters follow the served table's keys (limits, cluster spend baseline); their windows outlive swaps.
  const applyKeys = (t: RuntimeTable) => usage.keyLimits.applyTable(t.clientKeys.values(), Date.parse(t.generatedAt) || 0);
  if (store.current) applyKeys(store.current);
  store.onSwap(applyKeys);
  const exact = new Map<string, Route>();
  const prefixes: { route: Route; base: string }[] = [];
  const started = Date.now();
  const stalls = new StallWatch(opts.clientStallMs ?? DEFAULT_CLIENT_STALL_MS, (_res, ms) =>
    logger.warn({ stalledMs: Math.round(ms) }, "client stopped reading; response cut to free its upstream connection"),
  );
  let inFlight = 0;
  let draining = false;
  let idle: (() => void) | undefined;

  const addRoute = (r: Route) => {
    recordRoutes.set(r, recordRouteOf(r));
    if (r.path.endsWith("*")) prefixes.push({ route: r, base: r.path.slice(0, -1) });
    else exact.set(`${r.method} ${r.path}`, r);
  };

  addRoute({
    method: "POST",
    path: "/v1/chat/completions",
    auth: true,
    handle: ingressHandler(chatCompletionsIngress),
    usage: { ingress: "openai-chat", endpoint: "chat.completions", estimate: "chat" },
  });
  addRoute({
    method: "POST",
    path: "/v1/messages",
    auth: true,
    handle: ingressHandler(messagesIngress),
    sendError: sendAnthropicError,
    usage: { ingress: "anthropic-messages", endpoint: "messages", estimate: "chat" },
  });
  const responseStore: ResponseStore =
    opts.responses?.store ?? new MemoryResponseStore({ ttlMs: DEFAULT_RESPONSES_TTL_MS, maxEntries: DEFAULT_RESPONSES_MAX });
  const sealer = createReasoningSealer(opts.responses?.secret ?? randomBytes(32));
  addRoute({
    method: "POST",
    path: "/v1/responses",
    auth: true,
    handle: ingressHandler(responsesIngress({ store: responseStore, sealer })),
    usage: { ingress: "openai-responses", endpoint: "responses", estimate: "chat" },
  });
  for (const r of responseRoutes(responseStore)) addRoute(r);
  addRoute({
    method: "POST",
    path: "/v1/messages/count_tokens",
    auth: true,
    handle: handleCountTokens,
    sendError: sendAnthropicError,
    usage: { ingress: "anthropic-count-tokens", endpoint: "messages.count_tokens", estimate: "none" },
  });
  addRoute({
    method: "POST",
    path: "/v1/embeddings",
    auth: true,
    usage: { ingress: "openai-embeddings", endpoint: "embeddings", estimate: "prompt" },
    handle: (ctx) =>
      handlePassthrough(ctx, { endpoint: "embeddings", llmType: "embedding", schema: EmbeddingsRequest, pick: (a) => a.embeddings }),
  });
  addRoute({
    method: "POST",
    path: "/v1/images/generations",
    auth: true,
    usage: { ingress: "openai-images", endpoint: "images.generations", estimate: "none" },
    handle: (ctx) =>
      handlePassthrough(ctx, {
        endpoint: "images.generations",
        llmType: "image",
        schema: ImageGenerationRequest,
        pick: (a) => a.imageGenerations,
        defaultModel: "dall-e-3",
      }),
  });
  addRoute({ method: "GET", path: "/v1/models", auth: true, handle: handleListModels });
  addRoute({ method: "GET", path: "/v1/models/cache/stats", auth: true, handle: handleModelCacheStats });
  addRoute({ method: "GET", path: "/v1/models/*", auth: true, handle: handleGetModel });
  const health = (ctx: RequestContext) => {
    const t = store.current;
    const body = {
      status: draining ? "draining" : t ? "ok" : "no_routing_table",
      revision: t?.revision ?? null,
      models: t?.models.size ?? 0,
      uptime_s: Math.round((Date.now() - started) / 1000),
    };
    sendJson(ctx.res, t && !draining ? 200 : 503, JSON.stringify(body));
  };
  addRoute({ method: "GET", path: "/health", auth: false, needsTable: false, handle: health });
  addRoute({
    method: "GET",
    path: "/v1/stats",
    auth: true,
    // A key limited to some models sees only those models' counters (and names).
    handle: (ctx) => {
      const allowed = ctx.key?.models;
      const models = [...ctx.table.models.keys()].filter((m) => !allowed || allowed.includes(m));
      sendJson(ctx.res, 200, JSON.stringify(usage.snapshot(models, allowed)));
    },
  });

  // Prometheus text: the usage metrics (when configured) and the upstream pools. No client key needed
  // (docs/usage-ledger.md: restrict it with ROUTER_METRICS_TOKEN or the network).
  const metrics = opts.metrics;
  const expected = opts.metricsToken ? `Bearer ${opts.metricsToken}` : undefined;
  addRoute({
    method: "GET",
    path: "/metrics",
    auth: false,
    needsTable: false,
    handle: async (ctx) => {
      if (expected !== undefined && ctx.req.headers.authorization !== expected) {
        sendError(ctx.res, new RouterError("invalid_api_key", "A valid metrics token is required."), { "x-request-id": ctx.id });
        return;
      }
      const text = (metrics ? await metrics.metrics() : "") + (store.current ? poolMetricsText(store.current, stalls) : "");
      ctx.res.writeHead(200, { "content-type": "text/plain; version=0.0.4; charset=utf-8", "content-length": Buffer.byteLength(text) });
      ctx.res.end(text);
    },
  });
  for (const r of loadBalancingRoutes()) addRoute(r);
  for (const r of imageRoutes()) addRoute(r);
  for (const r of seedHealthRoutes()) addRoute(r);
  for (const r of providerRankingRoutes()) addRoute(r);
  for (const r of geminiRoutes()) addRoute(r);

  /**
   * Finds the route for a path: a trailing slash is ignored (the original answered both forms), and the
   * rest of a prefix route is URL-decoded once here (a malformed escape is a 404, never a 500).
   */
  function match(method: string, rawPath: string): { route: Route; rest: string } | "wrong_method" | undefined {
    const path = rawPath.length > 1 && rawPath.endsWith("/") ? rawPath.slice(0, -1) : rawPath;
    const r = exact.get(`${method} ${path}`);
    if (r) return { route: r, rest: "" };
    for (const { route, base } of prefixes) {
      if (route.method !== method || !path.startsWith(base) || path.length <= base.length) continue;
      try {
        return { route, rest: decodeURIComponent(path.slice(base.length)) };
      } catch {
        return undefined;
      }
    }
    for (const k of exact.keys()) if (k.slice(k.indexOf(" ") + 1) === path) return "wrong_method";
    return undefined;
  }

  async function onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const start = performance.now();
    const incoming = req.headers["x-request-id"];
    const id = typeof incoming === "string" && REQUEST_ID.test(incoming) ? incoming : newRequestId();
    if (req.headers.origin) {
      res.setHeader("access-control-allow-origin", "*");
      res.setHeader(
        "access-control-expose-headers",
        "x-request-id, x-router-provider, x-router-model, x-router-attempts, x-router-warnings, x-router-decision, retry-after, x-ratelimit-limit-requests, x-ratelimit-remaining-requests, x-ratelimit-reset-requests, x-ratelimit-limit-tokens, x-ratelimit-remaining-tokens, x-ratelimit-reset-tokens",
      );
      if (req.method === "OPTIONS") {
        res.writeHead(204, {
          "access-control-allow-methods": "GET, POST, PUT, DELETE, OPTIONS",
          "access-control-allow-headers": req.headers["access-control-request-headers"] ?? "authorization, content-type, x-api-key",
          "access-control-max-age": "86400",
        });
        res.end();
        return;
      }
    }
    const url = req.url ?? "/";
    const q = url.indexOf("?");
    const path = q < 0 ? url : url.slice(0, q);
    const method = req.method ?? "GET";
    if (opts.intercept?.(req, res, path)) return;
    const found = match(method, path);
    if (found === undefined || found === "wrong_method") {
      if (found === undefined && opts.fallback?.(req, res)) return;
      const err =
        found === "wrong_method"
          ? new RouterError("method_not_allowed", `Method ${method} is not allowed for ${path}.`)
          : new RouterError("not_found", `Unknown request URL: ${method} ${path}. Please check the URL for typos.`, {
              publicCode: "unknown_url",
            });
      sendError(res, err, { "x-request-id": id });
      return;
    }
    if (draining) {
      sendError(res, new RouterError("shutting_down", "The router is shutting down; retry on another replica."), {
        "x-request-id": id,
        connection: "close",
      });
      return;
    }
    const { route, rest } = found;
    const table = store.current;
    if (!table && route.needsTable !== false) {
      (route.sendError ?? sendError)(res, new RouterError("no_available_provider", "The router has no routing table yet."), {
        "x-request-id": id,
      });
      return;
    }
    inFlight++;
    const rec = new RequestRecord(id, recordRoutes.get(route)!);
    const socket = req.socket;
    const written0 = socket.bytesWritten;
    // Request bytes come from content-length; the socket's count only for a chunked body.
    const read0 = req.headers["content-length"] === undefined ? socket.bytesRead : 0;
    let limiter: KeyLimiter | undefined;
    const tp = req.headers.traceparent === undefined ? undefined : validTraceparent(req.headers.traceparent);
    const trace = opts.tracer !== undefined && ends.recording && route.usage !== undefined ? new RequestTrace(tp) : undefined;
    const ac = new ClientAbort();
    res.once("close", () => {
      if (!res.writableFinished) ac.abort();
    });
    let ctx: RequestContext | undefined;
    try {
      const now = Date.now();
      const queryKey = route.queryKey && q >= 0 ? (new URLSearchParams(url.slice(q + 1)).get("key") ?? undefined) : undefined;
      const key = route.auth && table ? authenticate(req.headers, table.clientKeys, now, table.authRequired, queryKey) : undefined;
      if (key !== undefined) {
        rec.key = key.name;
        rec.keyId = key.id ?? key.name;
      }
      // Client-key limits guard the model endpoints (every POST); keys without limits skip this entirely.
      if (key !== undefined && method === "POST" && hasLimits(key)) {
        limiter = usage.keyLimits.get(key.sha256);
        // With cluster-wide limits the pipeline admits the request once it knows what to reserve.
        if (limiter !== undefined && opts.sharedLimits === undefined) {
          const refused = limiter.admit(now);
          if (refused !== undefined) {
            refused.headers["x-request-id"] = id;
            (route.sendError ?? sendError)(res, refused.error, refused.headers);
            rec.refuse(refused.error);
            return;
          }
        }
      }
      // Routes that need a table only run with one.
      ctx = {
        id,
        req,
        res,
        start,
        table: table!,
        key,
        signal: ac,
        usage,
        limiter,
        shared: opts.sharedLimits,
        record: rec,
        reservation: undefined,
        stalls,
        traceparent: tp,
        trace,
      };
      await route.handle(ctx, rest);
    } catch (err) {
      const e = toRouterError(err);
      if (rec.errorCode === null) rec.errorCode = errorCodeOf(e);
      if (e.code === "internal_error") logger.error({ err, reqId: id, path }, "request failed");
      if (!res.headersSent) {
        const closeAfter = e.code === "body_too_large" || e.code === "request_timeout";
        (route.sendError ?? sendError)(res, e, closeAfter ? { "x-request-id": id, connection: "close" } : { "x-request-id": id });
      } else res.end();
    } finally {
      inFlight--;
      if (inFlight === 0 && idle) idle();
      // The one point where a request's record is finished and handed to every sink: every route, every outcome.
      ends.end(
        rec,
        { req, res, start, written0, read0, aborted: ac.aborted, queuedMs: ac.queuedMs },
        { limiter, reservation: ctx?.reservation, trace },
        route.usage !== undefined,
      );
    }
  }

  const server = createServer(
    { keepAliveTimeout: 65_000, requestTimeout: 120_000, headersTimeout: 60_000 },
    (req, res) => void onRequest(req, res),
  );
  server.on("clientError", (_err, socket) => {
    if (socket.writable) socket.end("HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n");
    else socket.destroy();
  });

  return {
    server,
    usage,
    addRoute,
    onRequestFinished: (l) => usage.onFinished(l),
    inFlight: () => inFlight,
    async shutdown(graceMs: number) {
      draining = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      if (inFlight > 0) {
        await new Promise<void>((resolve) => {
          idle = resolve;
          setTimeout(resolve, graceMs).unref();
        });
      }
      server.closeAllConnections();
      stalls.close();
      await closed;
      await store.close();
      await responseStore.close?.();
    },
  };
}
