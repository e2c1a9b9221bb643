import { createRequire } from "node:module";
import { dirname } from "node:path";
import express, { type Router } from "express";
import { setPageSecurityHeaders } from "./console-static.js";

/**
 * Swagger UI at /docs, from the swagger-ui-dist package (no CDN), reading /openapi.json. A token typed
 * into "Authorize" lives only as long as the page (`persistAuthorization: false`: never in localStorage).
 */
export function docsRouter(): Router {
  const dist = dirname(createRequire(import.meta.url).resolve("swagger-ui-dist/package.json"));
  const router = express.Router({ strict: false });
  const page = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>AI Router admin API</title>
<link rel="stylesheet" href="/docs/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/docs/swagger-ui-bundle.js"></script>
<script src="/docs/swagger-init.js"></script>
</body></html>`;
  const init = `window.ui = SwaggerUIBundle({ url: "/openapi.json", dom_id: "#swagger-ui", persistAuthorization: false });`;
  router.use("/docs", (_req, res, next) => {
    setPageSecurityHeaders(res);
    next();
  });
  router.get(["/docs", "/docs/", "/docs/index.html"], (_req, res) => {
    res.type("html").send(page);
  });
  router.get("/docs/swagger-init.js", (_req, res) => {
    res.type("application/javascript").send(init);
  });
  router.use("/docs", express.static(dist, { index: false, maxAge: "1h" }));
  return router;
}
