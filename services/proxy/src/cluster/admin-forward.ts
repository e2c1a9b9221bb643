import { Agent, type IncomingMessage, type ServerResponse } from "node:http";
import { RouterError } from "@ai-router/errors";
import type { Logger } from "@ai-router/logger";
import httpProxy from "http-proxy";
import { sendError } from "../http/respond.js";

/**
 * Paths the control plane answers; the proxy forwards them so one port serves the seed's whole API.
 * `/ui/` is the admin console (static files; `/` redirects there); `/v1/admin/files*`, `/batches*`, `/fine_tuning/jobs*` its offline pages (from PostgreSQL),
 * `/v1/admin/fine_tuning/models/{model}/shared_with` the sharing of a fine-tuned model.
 * `/v1/health*` and `/v1/providers*` are not here: the proxy answers them from its live health.
 */
const ADMIN =
  /^\/(v1\/db(\/|$)|v1\/admin\/(files|batches|fine_tuning\/(jobs|models))(\/|$)|v1\/stats(\/|$)|v1\/load-balancing\/|docs(\/|$)|openapi\.json$|ui(\/|$)|$)/;
const PROVIDER_HEALTH = /^\/v1\/providers\/[^/]+\/health\/?$/;
const MODEL_CAPABILITIES = /^\/v1\/models\/.+\/capabilities(\/[^/]+)?\/?$/;
/** Served here although another route would match first: counters live in the control plane's aggregate. */
/** Cluster-wide views the control plane answers from the usage ledger (`/v1/stats*`, provider performance and overview). */
const INTERCEPT = /^\/v1\/(stats(\/.*)?|providers\/stats\/overview\/?|providers\/[^/]+\/performance\/?)$/;

export interface AdminForwarder {
  /** For createProxy's `fallback`: forwards unmatched admin paths. */
  fallback(req: IncomingMessage, res: ServerResponse): boolean;
  /** For createProxy's `intercept`: forwards `/v1/stats*` before the proxy's own route. */
  intercept(req: IncomingMessage, res: ServerResponse, path: string): boolean;
  close(): void;
}

/** Forwards admin requests to the control plane over kept-alive connections (http-proxy). */
export function createAdminForwarder(target: string, logger: Logger): AdminForwarder {
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const proxy = httpProxy.createProxyServer({ target, agent, xfwd: true, proxyTimeout: 30_000, timeout: 30_000 });
  proxy.on("error", (err, _req, res) => {
    logger.warn({ err: err.message, target }, "control plane unreachable");
    const r = res as ServerResponse;
    if (typeof r.setHeader !== "function") return void (res as { destroy?: () => void }).destroy?.();
    if (r.headersSent) return void r.end();
    sendError(
      r,
      new RouterError("upstream_unreachable", "The control plane is unreachable; routing continues with the last table.", {
        publicCode: "control_plane_unreachable",
      }),
    );
  });
  const forward = (req: IncomingMessage, res: ServerResponse) => {
    proxy.web(req, res);
    return true;
  };
  return {
    fallback(req, res) {
      const url = req.url ?? "/";
      const q = url.indexOf("?");
      const path = q < 0 ? url : url.slice(0, q);
      if (ADMIN.test(path) || (req.method === "POST" && path.replace(/\/$/, "") === "/v1/models/clear-cache")) return forward(req, res);

      return false;
    },
    intercept(req, res, path) {
      if (INTERCEPT.test(path)) return forward(req, res);
      // Changes the control plane owns and publishes to every replica (before routing: `POST /v1/models/*`
      // is also Gemini's front door): manual provider health, model capabilities.
      if (req.method === "PUT" && PROVIDER_HEALTH.test(path)) return forward(req, res);
      if ((req.method === "POST" || req.method === "DELETE") && MODEL_CAPABILITIES.test(path)) return forward(req, res);
      return false;
    },
    close() {
      proxy.close();
      agent.destroy();
    },
  };
}
