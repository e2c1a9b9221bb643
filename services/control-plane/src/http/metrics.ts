import type { RequestHandler } from "express";
import { Counter, Gauge, Registry } from "prom-client";

/** The control plane's Prometheus metrics: tables published and admin requests by status. */
export class ControlPlaneMetrics {
  readonly registry = new Registry();
  private readonly requests = new Counter({
    name: "admin_requests_total",
    help: "Admin API requests, by method and status",
    labelNames: ["method", "status"],
    registers: [this.registry],
  });

  constructor(publisher: () => { published: number; failed: number } | undefined, revision: () => number | undefined) {
    new Counter({
      name: "tables_published_total",
      help: "Routing tables put in the NATS bucket (result=published) and attempts that failed (result=failed)",
      labelNames: ["result"],
      registers: [this.registry],
      collect() {
        const c = publisher();
        this.reset();
        this.inc({ result: "published" }, c?.published ?? 0);
        this.inc({ result: "failed" }, c?.failed ?? 0);
      },
    });
    new Gauge({
      name: "routing_table_revision",
      help: "Revision of the last table published (-1 before the first)",
      registers: [this.registry],
      collect() {
        this.set(revision() ?? -1);
      },
    });
  }

  /** Counts every request once it is answered (methods and statuses are bounded sets). */
  middleware(): RequestHandler {
    const methods = new Set(["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"]);
    return (req, res, next) => {
      res.once("finish", () =>
        this.requests.inc({ method: methods.has(req.method) ? req.method : "OTHER", status: String(res.statusCode) }),
      );
      next();
    };
  }
}
