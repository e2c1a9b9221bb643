import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { RouterError } from "@ai-router/errors";
import type { Endpoint } from "../endpoints/endpoint.js";
import { proxyOpenApi } from "./openapi.js";

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>AI Router proxy API</title>
<link rel="stylesheet" href="/docs/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/docs/swagger-ui-bundle.js"></script>
<script src="/docs/swagger-init.js"></script>
</body></html>`;
const INIT = `window.ui = SwaggerUIBundle({ url: "/openapi.json", dom_id: "#swagger-ui", persistAuthorization: true });`;
const ASSETS: Record<string, string> = {
  "swagger-ui.css": "text/css; charset=utf-8",
  "swagger-ui-bundle.js": "application/javascript; charset=utf-8",
};

/**
 * `/openapi.json` (the proxy's own endpoints) and `/docs` (Swagger UI from the swagger-ui-dist package,
 * no CDN), for standalone mode; in cluster mode both paths belong to the control plane's admin API.
 */
export function docsEndpoints(): Endpoint[] {
  const doc = JSON.stringify(proxyOpenApi());
  const dist = dirname(createRequire(import.meta.url).resolve("swagger-ui-dist/package.json"));
  const assets = new Map<string, Buffer>();
  const send = (res: import("node:http").ServerResponse, type: string, body: string | Buffer, cache = "no-cache") => {
    res.writeHead(200, { "content-type": type, "content-length": Buffer.byteLength(body), "cache-control": cache });
    res.end(body);
  };
  return [
    { method: "GET", path: "/openapi.json", auth: false, needsTable: false, handle: (ctx) => send(ctx.res, "application/json", doc) },
    { method: "GET", path: "/docs", auth: false, needsTable: false, handle: (ctx) => send(ctx.res, "text/html; charset=utf-8", PAGE) },
    {
      method: "GET",
      path: "/docs/*",
      auth: false,
      needsTable: false,
      handle: (ctx, rest) => {
        if (rest === "swagger-init.js") return send(ctx.res, "application/javascript; charset=utf-8", INIT);
        const type = ASSETS[rest];
        if (!type) throw new RouterError("not_found", `Unknown request URL: GET /docs/${rest}.`, { publicCode: "unknown_url" });
        let body = assets.get(rest);
        if (!body) {
          body = readFileSync(join(dist, rest));
          assets.set(rest, body);
        }
        send(ctx.res, type, body, "public, max-age=3600");
      },
    },
  ];
}
