import { bearerTokenCheck } from "@ai-router/contracts";
import { RouterError } from "@ai-router/errors";
import type { Logger } from "@ai-router/logger";
import express, { type Express } from "express";
import { ADMIN_API_INFO, registerAdminRoutes } from "./api/admin-api.js";
import type { ApiContext } from "./api/context.js";
import type { PrismaClient } from "./db/client.js";
import { adminAuth } from "./http/admin-auth.js";
import { consoleRouter } from "./http/console-static.js";
import { dataPlaneForward } from "./http/data-plane-forward.js";
import { docsRouter } from "./http/docs.js";
import { errorHandler, unknownRoute } from "./http/errors.js";
import type { ControlPlaneMetrics } from "./http/metrics.js";
import { ApiRegistry } from "./http/registry.js";
import type { LiveHealth } from "./nats/live-health.js";
import type { StatsAggregator } from "./nats/stats-aggregator.js";
import type { PublishResult } from "./nats/table-publisher.js";

export interface AppOptions {
  prisma: PrismaClient;
  logger: Logger;
  masterKey: Buffer;
  /** undefined = dev mode (no admin auth). */
  adminToken: string | undefined;
  publish(reason: string, opts?: { resyncKeys?: boolean }): Promise<PublishResult>;
  /** Publishes one client key's change as its own entry (keys live in their own signed bucket). */
  publishKey(hash: string, reason: string): Promise<PublishResult>;
  stats?: StatsAggregator;
  /** For `/health`: the last revision in the bucket, if any. */
  status?: () => Record<string, unknown>;
  /** Serves `GET /metrics` (no admin token: keep the port private or scrape through a network policy). */
  metrics?: ControlPlaneMetrics;
  /** When set, `GET /metrics` asks for `Authorization: Bearer <token>` (`ROUTER_METRICS_TOKEN`). */
  metricsToken?: string;
  /** Probe results and proxies' target reports for `GET /v1/db/health`. */
  liveHealth?: LiveHealth;
  /** Where the console's playground chats go when it is served here (`ROUTER_PROXY_URL`). */
  proxyUrl?: string;
  /** The built console (apps/console/dist by default). */
  consoleDir?: string;
}

/** The admin API as an express app (no listening: main.ts and tests do that). */
export function createApp(opts: AppOptions): Express {
  const app = express();
  app.disable("x-powered-by");
  app.set("strict routing", false); // `/v1/db/models` and `/v1/db/models/` are the same route
  app.use((req, res, next) => {
    res.setHeader("access-control-allow-origin", "*");
    if (req.method === "OPTIONS") {
      res.setHeader("access-control-allow-methods", "GET, POST, PUT, DELETE, OPTIONS");
      res.setHeader("access-control-allow-headers", "authorization, content-type, x-admin-actor");
      res.status(204).end();
      return;
    }
    next();
  });
  const metrics = opts.metrics;
  if (metrics) {
    app.use(metrics.middleware());
    const check = opts.metricsToken ? bearerTokenCheck(opts.metricsToken) : undefined;
    app.get("/metrics", async (req, res, next) => {
      if (check && check(req.headers.authorization) !== "ok") {
        return next(
          new RouterError("invalid_api_key", "A valid metrics token is required (`Authorization: Bearer <ROUTER_METRICS_TOKEN>`)."),
        );
      }
      res.setHeader("content-type", metrics.registry.contentType);
      res.end(await metrics.metrics());
    });
  }
  app.get("/health", (_req, res) => {
    res.json({ status: "ok", ...opts.status?.() });
  });
  app.use(consoleRouter(opts.consoleDir));
  app.use(dataPlaneForward(opts.proxyUrl, opts.logger));
  app.use(adminAuth(opts.adminToken, { logger: opts.logger }));
  app.use(express.json({ limit: "1mb", strict: true }));

  const router = express.Router({ strict: false });
  const api = new ApiRegistry(router);
  const ctx: ApiContext = {
    api,
    prisma: opts.prisma,
    masterKey: opts.masterKey,
    logger: opts.logger,
    devMode: opts.adminToken === undefined,
    publish: opts.publish,
    publishKey: opts.publishKey,
    ...(opts.stats ? { stats: opts.stats } : {}),
  };
  registerAdminRoutes(ctx, { liveHealth: opts.liveHealth, status: opts.status });
  const doc = api.document(ADMIN_API_INFO);
  app.get("/openapi.json", (_req, res) => {
    res.json(doc);
  });
  app.use(docsRouter());
  app.use(router);
  app.use(unknownRoute);
  app.use(errorHandler(opts.logger));
  return app;
}
