import { createHash, timingSafeEqual } from "node:crypto";
import { RouterError } from "@ai-router/errors";
import type { RequestHandler } from "express";

/** Paths anyone may read: the docs and the control plane's own health. */
const PUBLIC = /^\/(health|openapi\.json|docs(\/.*)?)$/;

/**
 * Bearer-token admin auth. Both sides are hashed to fixed-length digests and compared in constant
 * time, so neither the length nor a matching prefix of the token leaks. `token` undefined = dev mode.
 */
export function adminAuth(token: string | undefined): RequestHandler {
  const expected = token === undefined ? undefined : createHash("sha256").update(token).digest();
  return (req, res, next) => {
    if (expected === undefined || PUBLIC.test(req.path)) return next();
    const header = req.headers.authorization ?? "";
    if (header.slice(0, 7).toLowerCase() !== "bearer " || header.length <= 7) {
      res.setHeader("www-authenticate", 'Bearer realm="ai-router-admin"');
      return next(
        new RouterError("missing_api_key", "Admin API requires `Authorization: Bearer <ROUTER_ADMIN_TOKEN>`.", {
          publicCode: "missing_admin_token",
        }),
      );
    }
    const got = createHash("sha256").update(header.slice(7).trim()).digest();
    if (!timingSafeEqual(got, expected)) {
      res.setHeader("www-authenticate", 'Bearer realm="ai-router-admin", error="invalid_token"');
      return next(new RouterError("invalid_api_key", "Invalid admin token.", { publicCode: "invalid_admin_token" }));
    }
    next();
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
