import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { RouterError } from "@ai-router/errors";
import type { Logger } from "@ai-router/logger";
import type { RequestHandler } from "express";

/** Data-plane paths the console calls on its own origin; the control plane passes them to a proxy. */
const FORWARDED = new Set(["POST /v1/chat/completions"]);

/**
 * The console's playground sends chats to its own origin. Served through a proxy (`:8000/ui/`) the proxy
 * answers them; served by the control plane, this passes them on to `ROUTER_PROXY_URL`, streaming both
 * ways. The client key travels as the request's own `Authorization` (no admin token), so this is mounted
 * before admin auth; the proxy authenticates it. Without `ROUTER_PROXY_URL` the answer is a 503 saying so.
 */
export function dataPlaneForward(proxyUrl: string | undefined, logger: Logger): RequestHandler {
  const target = proxyUrl ? new URL(proxyUrl) : undefined;
  return (req, res, next) => {
    if (!FORWARDED.has(`${req.method} ${req.path.replace(/\/$/, "")}`)) return next();
    if (!target) {
      next(
        new RouterError(
          "no_available_provider",
          "The control plane does not know a proxy: set ROUTER_PROXY_URL, or open the console through a proxy (:8000/ui/).",
          {
            publicCode: "proxy_not_configured",
          },
        ),
      );
      return;
    }
    const headers = { ...req.headers, host: target.host };
    delete headers.connection;
    const send = target.protocol === "https:" ? httpsRequest : httpRequest;
    const upstream = send(
      { protocol: target.protocol, hostname: target.hostname, port: target.port, method: req.method, path: req.originalUrl, headers },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on("error", (err) => {
      logger.warn({ err: err.message, target: target.origin }, "proxy unreachable from the control plane");
      if (res.headersSent) return void res.destroy();
      next(new RouterError("upstream_unreachable", "The proxy (ROUTER_PROXY_URL) is unreachable.", { publicCode: "proxy_unreachable" }));
    });
    res.on("close", () => {
      if (!res.writableFinished) upstream.destroy();
    });
    req.pipe(upstream);
  };
}
