import {
  type BearerVerdict,
  bearerTokenCheck,
  FailureThrottle,
  type ManualHealth,
  manualHealthOf,
  type SetProviderHealth,
  sourceOf,
} from "@ai-router/contracts";
import { RouterError } from "@ai-router/errors";
import type { Logger } from "@ai-router/logger";
import type { Endpoint } from "../../endpoints/endpoint.js";
import { parseJsonObject, readBody } from "../../http/read-body.js";
import { sendJson } from "../../http/respond.js";
import type { TableStore } from "../../routing/table-store.js";
import type { ConfigReloader } from "../../standalone.js";
import type { RequestContext } from "../context.js";

/** The admin token's constant-time check, rebuilt only when a reload changes the token. */
let checked: { token: string; check: (authorization: string | undefined) => BearerVerdict } | undefined;

/**
 * Checks `Authorization: Bearer <server.admin_token>` in constant time (both sides hashed to fixed
 * length). Without an admin token configured, admin endpoints are refused (403), never open. Wrong
 * tokens are counted per source address: past the limit the address gets 429 with `Retry-After` for a
 * while, whatever it sends; each failure is logged with the address, never the token.
 */
export function requireAdmin(ctx: RequestContext, token: string | undefined, guard?: AdminGuard): void {
  if (token === undefined) {
    throw new RouterError("model_not_allowed", "Admin endpoints are disabled: set server.admin_token in the config to enable them.", {
      publicCode: "admin_disabled",
    });
  }
  const source = sourceOf(ctx.req.socket.remoteAddress);
  const wait = guard?.throttle.retryAfterMs(source) ?? 0;
  if (wait > 0) {
    ctx.res.setHeader("retry-after", String(Math.ceil(wait / 1000)));
    throw new RouterError("rate_limited", "Too many failed admin logins from this address; try again later.", {
      publicCode: "too_many_failed_logins",
    });
  }
  if (checked?.token !== token) checked = { token, check: bearerTokenCheck(token) };
  const verdict = checked.check(ctx.req.headers.authorization);
  if (verdict === "missing") {
    throw new RouterError("missing_api_key", "This endpoint requires `Authorization: Bearer <server.admin_token>`.", {
      publicCode: "missing_admin_token",
    });
  }
  if (verdict === "wrong") {
    const blocked = guard?.throttle.fail(source) ?? false;
    guard?.logger.warn({ source, path: ctx.req.url?.slice(0, 200) }, "admin login failed: wrong token");
    if (blocked) guard?.logger.warn({ source }, "admin logins throttled");
    throw new RouterError("invalid_api_key", "Invalid admin token.", { publicCode: "invalid_admin_token" });
  }
}

/** Failed admin logins of one process: counted per address, logged. */
export interface AdminGuard {
  throttle: FailureThrottle;
  logger: Logger;
}

const send = (ctx: RequestContext, status: number, body: unknown) =>
  sendJson(ctx.res, status, JSON.stringify(body), { "x-request-id": ctx.id });

/**
 * The original's maintenance endpoints in standalone mode, behind `server.admin_token`: reload
 * router.yaml (`/v1/stats/refresh`, `/v1/models/clear-cache`) and zero the counters (`/v1/stats/reset`).
 * A file that does not load is a 400 saying why; the last good table keeps serving.
 */
export function standaloneAdminEndpoints(reloader: ConfigReloader, store: TableStore, logger?: Logger): Endpoint[] {
  const guard = logger ? { throttle: new FailureThrottle(), logger } : undefined;
  const admin = (path: string, handle: (ctx: RequestContext) => void): Endpoint => ({
    method: "POST",
    path,
    auth: false,
    handle: (ctx) => {
      requireAdmin(ctx, reloader.config.server.admin_token, guard);
      handle(ctx);
    },
  });
  const reload = (why: string) => {
    const r = reloader.reload(why);
    if (!r.ok) {
      throw new RouterError("invalid_request", `${reloader.file} was not reloaded; the last good table keeps serving: ${r.reason}`, {
        publicCode: "invalid_config",
      });
    }
    return r;
  };
  return [
    admin("/v1/stats/refresh", (ctx) => {
      const r = reload("POST /v1/stats/refresh");
      send(ctx, 200, { message: "Configuration reloaded", models_count: r.models, revision: r.revision });
    }),
    admin("/v1/models/clear-cache", (ctx) => {
      const r = reload("POST /v1/models/clear-cache");
      send(ctx, 200, { message: "Model cache cleared", timestamp: Date.now() / 1000, revision: r.revision });
    }),
    admin("/v1/stats/reset", (ctx) => {
      ctx.usage.reset();
      send(ctx, 200, { message: "Statistics reset" });
    }),
    {
      method: "PUT",
      path: "/v1/providers/*",
      auth: false,
      handle: async (ctx, rest) => {
        requireAdmin(ctx, reloader.config.server.admin_token, guard);
        const name = rest.endsWith("/health") ? rest.slice(0, -"/health".length) : "";
        if (!name) throw new RouterError("not_found", `Unknown request URL: PUT /v1/providers/${rest}.`, { publicCode: "unknown_url" });
        const status = await requestedHealth(ctx);
        if (!store.setProviderHealth(name, manualOf(status))) {
          throw new RouterError("not_found", `The provider \`${name}\` does not exist.`, {
            param: "provider_name",
            publicCode: "provider_not_found",
          });
        }
        send(ctx, 200, healthSetBody(name, status));
      },
    },
  ];
}

/** The requested status: `?health_status=` (the original's form) or a JSON body `{ "health_status": ... }`. */
async function requestedHealth(ctx: RequestContext): Promise<SetProviderHealth> {
  const q = new URL(ctx.req.url ?? "/", "http://x").searchParams.get("health_status");
  const raw = await readBody(ctx.req, 64 * 1024);
  const value = q ?? (raw.length > 0 ? parseJsonObject(raw).health_status : undefined);
  return parseHealthStatus(value);
}

function parseHealthStatus(value: unknown): SetProviderHealth {
  const s = typeof value === "string" ? value.toLowerCase() : value;
  if (s === "healthy" || s === "unhealthy" || s === "degraded" || s === "auto") return s;
  throw new RouterError("invalid_request", "health_status must be one of: healthy, degraded, unhealthy, auto.", { param: "health_status" });
}

const manualOf = (s: SetProviderHealth): ManualHealth | undefined => manualHealthOf(s);

function healthSetBody(name: string, s: SetProviderHealth) {
  const message =
    s === "unhealthy"
      ? `Provider ${name} taken out of rotation`
      : s === "degraded"
        ? `Provider ${name} marked degraded (still in rotation)`
        : `Provider ${name} back in rotation; live health decides`;
  return { message, provider_name: name, health_status: s, manual: manualOf(s) ?? null };
}
