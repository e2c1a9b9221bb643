import { METRIC_PREFIX, withLegacyMetricNames } from "@ai-router/contracts";
import type { RequestHandler } from "express";
import { Counter, collectDefaultMetrics, Gauge, Registry } from "prom-client";

/** The control plane's Prometheus metrics: tables published and admin requests by status. */
export class ControlPlaneMetrics {
  readonly registry = new Registry();
  private readonly requests = new Counter({
    name: `${METRIC_PREFIX}admin_requests_total`,
    help: "Admin API requests, by method and status",
    labelNames: ["method", "status"],
    registers: [this.registry],
  });

  private readonly legacyNames: boolean;

  /** `opts.legacyNames`: also the deprecated unprefixed names; process and Node runtime series unless `runtime: false`. */
  constructor(
    publisher: () => { published: number; failed: number } | undefined,
    revision: () => number | undefined,
    opts: { legacyNames?: boolean; runtime?: boolean } = {},
  ) {
    this.legacyNames = opts.legacyNames === true;
    if (opts.runtime !== false) collectDefaultMetrics({ register: this.registry, prefix: METRIC_PREFIX });
    new Counter({
      name: `${METRIC_PREFIX}tables_published_total`,
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
      name: `${METRIC_PREFIX}routing_table_revision`,
      help: "Revision of the last table published (-1 before the first)",
      registers: [this.registry],
      collect() {
        this.set(revision() ?? -1);
      },
    });
  }

  /** The text exposition format (with the deprecated names too when asked). */
  async metrics(): Promise<string> {
    const text = await this.registry.metrics();
    return this.legacyNames ? withLegacyMetricNames(text) : text;
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
