import { readFileSync } from "node:fs";
import { join } from "node:path";
import { swaggerUi } from "@ai-router/api-docs";
import { RouterError } from "@ai-router/errors";
import type { Endpoint } from "../endpoints/endpoint.js";
import { proxyOpenApi } from "./openapi.js";

/**
 * `/openapi.json` (the proxy's own endpoints) and `/docs` (Swagger UI from the swagger-ui-dist package,
 * no CDN), for standalone mode; in cluster mode both paths belong to the control plane's admin API.
 */
export function docsEndpoints(): Endpoint[] {
  const doc = JSON.stringify(proxyOpenApi());
  const ui = swaggerUi({ title: "AI Router proxy API" });
  const assets = new Map<string, Buffer>();
  const send = (res: import("node:http").ServerResponse, type: string, body: string | Buffer, cache = "no-cache") => {
    res.writeHead(200, {
      "content-type": type,
      "content-length": Buffer.byteLength(body),
      "cache-control": cache,
      "x-content-type-options": "nosniff",
      "x-frame-options": "DENY",
      "referrer-policy": "no-referrer",
    });
    res.end(body);
  };
  return [
    { method: "GET", path: "/openapi.json", auth: false, needsTable: false, handle: (ctx) => send(ctx.res, "application/json", doc) },
    { method: "GET", path: "/docs", auth: false, needsTable: false, handle: (ctx) => send(ctx.res, "text/html; charset=utf-8", ui.page) },
    {
      method: "GET",
      path: "/docs/*",
      auth: false,
      needsTable: false,
      handle: (ctx, rest) => {
        if (rest === "swagger-init.js") return send(ctx.res, "application/javascript; charset=utf-8", ui.init);
        const type = ui.assets[rest];
        if (!type) throw new RouterError("not_found", `Unknown request URL: GET /docs/${rest}.`, { publicCode: "unknown_url" });
        let body = assets.get(rest);
        if (!body) {
          body = readFileSync(join(ui.distDir, rest));
          assets.set(rest, body);
        }
        send(ctx.res, type, body, "public, max-age=3600");
      },
    },
  ];
}
