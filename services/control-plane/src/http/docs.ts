import { swaggerUi } from "@ai-router/api-docs";
import express, { type Router } from "express";
import { setPageSecurityHeaders } from "./console-static.js";

/**
 * Swagger UI at /docs (the page shared with the proxy), reading /openapi.json. A token typed into
 * "Authorize" lives only as long as the page (never in localStorage).
 */
export function docsRouter(): Router {
  const ui = swaggerUi({ title: "AI Router admin API" });
  const router = express.Router({ strict: false });
  router.use("/docs", (_req, res, next) => {
    setPageSecurityHeaders(res);
    next();
  });
  router.get(["/docs", "/docs/", "/docs/index.html"], (_req, res) => {
    res.type("html").send(ui.page);
  });
  router.get("/docs/swagger-init.js", (_req, res) => {
    res.type("application/javascript").send(ui.init);
  });
  router.use("/docs", express.static(ui.distDir, { index: false, maxAge: "1h" }));
  return router;
}
