import { swaggerUi } from "@ai-router/api-docs";
import express, { type Router } from "express";

/** Swagger UI at /docs (the page shared with the proxy), reading /openapi.json. */
export function docsRouter(): Router {
  const ui = swaggerUi({ title: "AI Router admin API" });
  const router = express.Router({ strict: false });
  router.get(["/docs", "/docs/", "/docs/index.html"], (_req, res) => {
    res.type("html").send(ui.page);
  });
  router.get("/docs/swagger-init.js", (_req, res) => {
    res.type("application/javascript").send(ui.init);
  });
  router.use("/docs", express.static(ui.distDir, { index: false, maxAge: "1h" }));
  return router;
}
