import { createRequire } from "node:module";
import { dirname } from "node:path";

/** What a service needs to serve Swagger UI for one OpenAPI document, from the swagger-ui-dist package (no CDN). */
export interface SwaggerUi {
  /** The HTML page at `base` (e.g. `/docs`). */
  page: string;
  /** The page's start-up script, served at `${base}/swagger-init.js` (the page carries no inline script). */
  init: string;
  /** The package's folder, where the assets below are. */
  distDir: string;
  /** The files the page loads from the package, with their content types. */
  assets: Readonly<Record<string, string>>;
}

/** No prototype: a request for `/docs/constructor` finds nothing here. */
export const SWAGGER_ASSETS: Readonly<Record<string, string>> = Object.freeze(
  Object.assign(Object.create(null) as Record<string, string>, {
    "swagger-ui.css": "text/css; charset=utf-8",
    "swagger-ui-bundle.js": "application/javascript; charset=utf-8",
  }),
);

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * The one Swagger UI page both services serve. Authorization typed into the page is not persisted
 * (`persistAuthorization: false`, said explicitly): an admin token must not outlive the tab in localStorage.
 */
export function swaggerUi(opts: { title: string; specUrl?: string; base?: string }): SwaggerUi {
  const base = opts.base ?? "/docs";
  const page = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(opts.title)}</title>
<link rel="stylesheet" href="${base}/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="${base}/swagger-ui-bundle.js"></script>
<script src="${base}/swagger-init.js"></script>
</body></html>`;
  const init = `window.ui = SwaggerUIBundle({ url: ${JSON.stringify(opts.specUrl ?? "/openapi.json")}, dom_id: "#swagger-ui", persistAuthorization: false });`;
  const distDir = dirname(createRequire(import.meta.url).resolve("swagger-ui-dist/package.json"));
  return { page, init, distDir, assets: SWAGGER_ASSETS };
}
