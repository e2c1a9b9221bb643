import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import express, { type Router } from "express";

/** Where `npm run build` puts the console (apps/console/dist), from this file in src/ or dist/. */
export const defaultConsoleDir = fileURLToPath(new URL("../../../../apps/console/dist/", import.meta.url));

/**
 * The console's Content-Security-Policy: the Vite build loads one script and one stylesheet from
 * `/ui/assets/` (no inline script or style element; React sets `style` through the DOM, which CSP
 * allows), an SVG icon as a data: URL, and talks only to this origin. Nothing may frame it.
 */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

/** Headers on every `/ui/` answer (and the docs page): no framing, no MIME sniffing, no referrer to other sites. */
export function setPageSecurityHeaders(res: { setHeader(name: string, value: string): unknown }, csp?: string): void {
  if (csp) res.setHeader("content-security-policy", csp);
  res.setHeader("x-frame-options", "DENY");
  res.setHeader("x-content-type-options", "nosniff");
  res.setHeader("referrer-policy", "no-referrer");
}

/**
 * The admin console at `/ui/`: hashed assets cached for a year (their names change with their content),
 * `index.html` never cached (so a new build is picked up at once), and any other `/ui/...` path answered
 * with `index.html` (the console routes in the browser). `GET /` redirects here. Public: the console
 * asks for the admin token itself and sends it only as a Bearer header.
 */
export function consoleRouter(dir = defaultConsoleDir): Router {
  const router = express.Router({ strict: true });
  const index = join(dir, "index.html");
  router.get("/", (_req, res) => res.redirect(302, "/ui/"));
  router.get("/ui", (_req, res) => res.redirect(301, "/ui/"));
  router.use("/ui", (_req, res, next) => {
    setPageSecurityHeaders(res, CONSOLE_CSP);
    next();
  });
  router.use(
    "/ui/assets",
    express.static(join(dir, "assets"), {
      index: false,
      setHeaders: (res) => res.setHeader("cache-control", "public, max-age=31536000, immutable"),
    }),
  );
  // A missing asset is a 404 (an old page asking for a previous build's file), never index.html.
  router.use("/ui/assets", (_req, res) => {
    res.status(404).type("text/plain").send("Not found");
  });
  router.use("/ui", express.static(dir, { index: false, setHeaders: (res) => res.setHeader("cache-control", "public, max-age=3600") }));
  router.get(/^\/ui\/.*/, (_req, res) => {
    if (!existsSync(index)) {
      res.status(503).type("text/plain").send("The console is not built: run `npm run build`.");
      return;
    }
    res.setHeader("cache-control", "no-cache");
    res.sendFile(index);
  });
  return router;
}
