import express from "express";
import type { PrismaClient } from "../db/client.js";
import { ApiRegistry } from "../http/registry.js";
import type { LiveHealth } from "../nats/live-health.js";
import { capabilityRoutes } from "./capabilities.js";
import { clientKeyRoutes } from "./client-keys.js";
import type { ApiContext } from "./context.js";
import { healthRoutes } from "./health.js";
import { modelRoutes } from "./models.js";
import { offlineFileRoutes } from "./offline-files.js";
import { offlineJobRoutes } from "./offline-jobs.js";
import { offlineSharingRoutes } from "./offline-sharing.js";
import { opsRoutes } from "./ops.js";
import { providerRoutes } from "./providers.js";
import { settingsRoutes } from "./settings.js";
import { usageRoutes } from "./usage.js";
import { usageStatsRoutes } from "./usage-stats.js";

/** The admin API's OpenAPI `info`; `version` is its major version (the committed contract is openapi/admin.v<version>.json). */
export const ADMIN_API_INFO = {
  title: "AI Router control plane",
  version: "1",
  description:
    "Admin API: providers, provider keys, models and their links, client keys. Every change is compiled into a routing table and pushed to the proxies over NATS. Errors use the OpenAI envelope `{error:{message,type,param,code}}`.",
};

/** What the live routes read besides the context (absent while only documenting). */
export interface AdminRouteSources {
  liveHealth?: LiveHealth;
  /** `/health`'s status (revision, nats). */
  status?: () => Record<string, unknown>;
}

/** Every admin route, registered on `ctx.api`: the server and the OpenAPI document read this one list. */
export function registerAdminRoutes(ctx: ApiContext, src: AdminRouteSources): void {
  providerRoutes(ctx);
  modelRoutes(ctx);
  clientKeyRoutes(ctx);
  settingsRoutes(ctx);
  opsRoutes(ctx);
  capabilityRoutes(ctx);
  usageRoutes(ctx);
  offlineFileRoutes(ctx);
  offlineJobRoutes(ctx);
  offlineSharingRoutes(ctx);
  usageStatsRoutes(ctx, () => ctx.stats?.snapshot().replicas ?? 0);
  healthRoutes(ctx, src.liveHealth, () => {
    const s = src.status?.() ?? {};
    return { revision: typeof s.revision === "number" ? s.revision : null, nats: s.nats === "connected" };
  });
}

/** Stands in for what only handlers touch: documenting the API runs no handler. */
function handlersOnly<T extends object>(what: string): T {
  return new Proxy({} as T, {
    get() {
      throw new Error(`${what} is not available while only documenting the admin API`);
    },
  });
}

/** The admin API's OpenAPI document, from the route list, with no database or NATS (for `npm run openapi:write`). */
export function adminOpenApi(): Record<string, unknown> {
  const api = new ApiRegistry(express.Router());
  const notRun = () => Promise.reject(new Error("not published while only documenting the admin API"));
  registerAdminRoutes(
    {
      api,
      prisma: handlersOnly<PrismaClient>("the database"),
      masterKey: Buffer.alloc(32),
      logger: handlersOnly("the logger"),
      devMode: false,
      publish: notRun,
      publishKey: notRun,
    },
    {},
  );
  return api.document(ADMIN_API_INFO);
}
