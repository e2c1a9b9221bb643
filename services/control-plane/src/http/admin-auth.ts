import { bearerTokenCheck, FailureThrottle, sourceOf, type ThrottleOptions } from "@ai-router/contracts";
import { RouterError } from "@ai-router/errors";
import type { Logger } from "@ai-router/logger";
import type { Request, RequestHandler } from "express";

/** Paths anyone may read: the docs and the control plane's own health. */
const PUBLIC = /^\/(health|openapi\.json|docs(\/.*)?)$/;

/**
 * Where an admin request came from: the socket's peer and, when a proxy in front (ours forwards with
 * `x-forwarded-for`) named the client, the last address it added. The forwarded address alone could be
 * forged by a client that reaches this port directly, so the peer stays part of the key and also has
 * its own, higher limit.
 */
function sourcesOf(req: Request): { peer: string; source: string } {
  const peer = sourceOf(req.socket.remoteAddress);
  const xff = req.headers["x-forwarded-for"];
  const last = typeof xff === "string" ? xff.slice(xff.lastIndexOf(",") + 1).trim() : "";
  return { peer, source: last ? `${peer}>${sourceOf(last)}` : peer };
}

export interface AdminAuthOptions {
  logger?: Logger;
  /** Failed logins per source; the peer (a proxy in front) may fail ten times as often. */
  throttle?: ThrottleOptions;
}

/**
 * Bearer-token admin auth. Tokens are compared as fixed-length digests in constant time (neither the
 * length nor a matching prefix leaks). Wrong tokens are counted per source address: past the limit the
 * source gets 429 with `Retry-After` for a window, whatever token it sends, and each failure is logged
 * with the address (never the token). `token` undefined = dev mode.
 */
export function adminAuth(token: string | undefined, opts: AdminAuthOptions = {}): RequestHandler {
  if (token === undefined) return (_req, _res, next) => next();
  const check = bearerTokenCheck(token);
  const perSource = new FailureThrottle(opts.throttle);
  const perPeer = new FailureThrottle({ ...opts.throttle, maxFailures: perSource.maxFailures * 10 });
  const log = opts.logger;
  return (req, res, next) => {
    if (PUBLIC.test(req.path)) return next();
    const { peer, source } = sourcesOf(req);
    const wait = Math.max(perSource.retryAfterMs(source), source === peer ? 0 : perPeer.retryAfterMs(peer));
    if (wait > 0) {
      res.setHeader("retry-after", String(Math.ceil(wait / 1000)));
      return next(
        new RouterError("rate_limited", "Too many failed admin logins from this address; try again later.", {
          publicCode: "too_many_failed_logins",
        }),
      );
    }
    const verdict = check(req.headers.authorization);
    if (verdict === "ok") return next();
    if (verdict === "missing") {
      res.setHeader("www-authenticate", 'Bearer realm="ai-router-admin"');
      return next(
        new RouterError("missing_api_key", "Admin API requires `Authorization: Bearer <ROUTER_ADMIN_TOKEN>`.", {
          publicCode: "missing_admin_token",
        }),
      );
    }
    const blocked = perSource.fail(source);
    const peerBlocked = source !== peer && perPeer.fail(peer);
    log?.warn({ source, method: req.method, path: req.path.slice(0, 200) }, "admin login failed: wrong token");
    if (blocked || peerBlocked) {
      log?.warn({ source: peerBlocked ? peer : source, retryAfterS: perSource.windowMs / 1000 }, "admin logins throttled");
    }
    res.setHeader("www-authenticate", 'Bearer realm="ai-router-admin", error="invalid_token"');
    return next(new RouterError("invalid_api_key", "Invalid admin token.", { publicCode: "invalid_admin_token" }));
  };
}

/** Who made a change, for the audit log: `x-admin-actor` (free text, trimmed) or the token's role. */
export function actorOf(headers: Record<string, string | string[] | undefined>, devMode: boolean): string {
  const h = headers["x-admin-actor"];
  const v =
    typeof h === "string"
      ? h
          .replace(/[^\w .@:/-]/g, "")
          .slice(0, 64)
          .trim()
      : "";
  return v ? `admin:${v}` : devMode ? "dev" : "admin";
}
