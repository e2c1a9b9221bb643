import type { IncomingMessage, ServerResponse } from "node:http";
import { performance } from "node:perf_hooks";
import type { TableClientKey } from "@ai-router/contracts";
import { RouterError, toRouterError } from "@ai-router/errors";
import type { Logger } from "@ai-router/logger";
import { BATCH_HEADER, type BatchAuth } from "../batches/batch-auth.js";
import type { BatchGate } from "../batches/batch-gate.js";
import type { EndpointRouter } from "../endpoints/endpoint-router.js";
import { readEndpointBody } from "../endpoints/read-endpoint-body.js";
import type { RequestContext } from "../handlers/context.js";
import { hasLimits, type KeyLimiter } from "../limits/key-limiter.js";
import type { SharedLimits } from "../limits/shared-limits.js";
import type { RequestEnd } from "../record/request-end.js";
import { errorCodeOf, RequestRecord } from "../record/request-record.js";
import type { UsageRecorder } from "../record/usage-recorder.js";
import type { TableStore } from "../routing/table-store.js";
import type { OtlpExporter } from "../tracing/otlp-exporter.js";
import { RequestTrace, validTraceparent } from "../tracing/trace-context.js";
import { authenticate } from "./auth.js";
import { ClientAbort } from "./client-abort.js";
import { readDecodedBody } from "./read-body.js";
import { newRequestId } from "./request-id.js";
import { sendError } from "./respond.js";
import type { StallWatch } from "./stall-watch.js";

/** What the request handler works with (built once by createProxy). */
export interface ServeDeps {
  store: TableStore;
  logger: Logger;
  router: EndpointRouter;
  ends: RequestEnd;
  usage: UsageRecorder;
  stalls: StallWatch;
  sharedLimits: SharedLimits | undefined;
  tracer: OtlpExporter | undefined;
  /** Answers requests no endpoint matched (cluster mode forwards admin paths). */
  fallback: ((req: IncomingMessage, res: ServerResponse) => boolean) | undefined;
  /** Runs before routing; true when it answered (cluster mode forwards `/v1/stats`). */
  intercept: ((req: IncomingMessage, res: ServerResponse, path: string) => boolean) | undefined;
  /** Signs and checks the batch runner's lines (sent as the key that owns the batch); none: no batches. */
  batchAuth: BatchAuth | undefined;
  /** Holds batch lines sent from outside this process while live traffic is high (cluster mode). */
  batchGate: BatchGate | undefined;
}

/** In-flight accounting for the graceful drain. */
export interface Flight {
  inFlight: number;
  /** Of those, batch lines (signed by the batch runner): what is not one of them is live traffic. */
  batchLines: number;
  draining: boolean;
  /** Called when the last in-flight request ends while draining. */
  idle: (() => void) | undefined;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const EXPOSED =
  "x-request-id, x-router-provider, x-router-model, x-router-attempts, x-router-warnings, x-router-cache, x-router-decision, retry-after, x-ratelimit-limit-requests, x-ratelimit-remaining-requests, x-ratelimit-reset-requests, x-ratelimit-limit-tokens, x-ratelimit-remaining-tokens, x-ratelimit-reset-tokens, deprecation, sunset, link";
const EMPTY = Buffer.alloc(0);

/**
 * One request, from arrival to its record: CORS, the declared endpoint, the routing table, the client
 * key and its limits, the body as the endpoint reads it, the handler, the error envelope, then the
 * request's record finished once for every sink (record/request-end.ts).
 */
export function createRequestHandler(d: ServeDeps, flight: Flight): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const { store, logger, router, ends, usage, stalls } = d;
  return async function onRequest(req, res) {
    const start = performance.now();
    const incoming = req.headers["x-request-id"];
    const id = typeof incoming === "string" && REQUEST_ID.test(incoming) ? incoming : newRequestId();
    if (req.headers.origin) {
      res.setHeader("access-control-allow-origin", "*");
      res.setHeader("access-control-expose-headers", EXPOSED);
      if (req.method === "OPTIONS") {
        res.writeHead(204, {
          "access-control-allow-methods": "GET, POST, PUT, DELETE, OPTIONS",
          "access-control-allow-headers": req.headers["access-control-request-headers"] ?? "authorization, content-type, x-api-key",
          "access-control-max-age": "86400",
        });
        res.end();
        return;
      }
    }
    const url = req.url ?? "/";
    const q = url.indexOf("?");
    const path = q < 0 ? url : url.slice(0, q);
    const method = req.method ?? "GET";
    if (d.intercept?.(req, res, path)) return;
    const found = router.match(method, path);
    if (found === undefined || found === "wrong_method") {
      if (found === undefined && d.fallback?.(req, res)) return;
      const err =
        found === "wrong_method"
          ? new RouterError("method_not_allowed", `Method ${method} is not allowed for ${path}.`)
          : new RouterError("not_found", `Unknown request URL: ${method} ${path}. Please check the URL for typos.`, {
              publicCode: "unknown_url",
            });
      sendError(res, err, { "x-request-id": id });
      return;
    }
    if (flight.draining) {
      sendError(res, new RouterError("shutting_down", "The router is shutting down; retry on another replica."), {
        "x-request-id": id,
        connection: "close",
      });
      return;
    }
    const { endpoint, rest } = found;
    const table = store.current;
    if (!table && endpoint.needsTable !== false) {
      (endpoint.sendError ?? sendError)(res, new RouterError("no_available_provider", "The router has no routing table yet."), {
        "x-request-id": id,
      });
      return;
    }
    flight.inFlight++;
    const rec = new RequestRecord(id, found.record);
    const socket = req.socket;
    const written0 = socket.bytesWritten;
    // Request bytes come from content-length; the socket's count only for a chunked body.
    const read0 = req.headers["content-length"] === undefined ? socket.bytesRead : 0;
    let limiter: KeyLimiter | undefined;
    const tp = req.headers.traceparent === undefined ? undefined : validTraceparent(req.headers.traceparent);
    const trace = d.tracer !== undefined && ends.recording && endpoint.usage !== undefined ? new RequestTrace(tp) : undefined;
    const ac = new ClientAbort();
    res.once("close", () => {
      if (!res.writableFinished) ac.abort();
    });
    let ctx: RequestContext | undefined;
    let gated = false;
    try {
      const now = Date.now();
      const queryKey = endpoint.queryKey && q >= 0 ? (new URLSearchParams(url.slice(q + 1)).get("key") ?? undefined) : undefined;
      const batch = d.batchAuth !== undefined ? req.headers[BATCH_HEADER] : undefined;
      let key: TableClientKey | undefined;
      if (batch !== undefined && endpoint.auth && table) {
        // A batch line from this process's runner: the owning key, and the batch on its record.
        const signed = (d.batchAuth as BatchAuth).verify(batch, table);
        key = signed.key;
        rec.batchId = signed.batchId;
        flight.batchLines++;
        if (d.batchGate !== undefined) {
          await d.batchGate.admit(() => ac.aborted);
          gated = true;
        }
      } else key = endpoint.auth && table ? authenticate(req.headers, table.clientKeys, now, table.authRequired, queryKey) : undefined;
      if (key !== undefined) {
        rec.key = key.name;
        rec.keyId = key.id ?? key.name;
      }
      // Client-key limits guard the model endpoints (every POST); keys without limits skip this entirely.
      if (key !== undefined && method === "POST" && hasLimits(key)) {
        limiter = usage.keyLimits.get(key.sha256);
        // With cluster-wide limits the pipeline admits the request once it knows what to reserve.
        if (limiter !== undefined && d.sharedLimits === undefined) {
          const refused = limiter.admit(now);
          if (refused !== undefined) {
            refused.headers["x-request-id"] = id;
            (endpoint.sendError ?? sendError)(res, refused.error, refused.headers);
            rec.refuse(refused.error);
            return;
          }
        }
      }
      // Endpoints that need a table only run with one.
      ctx = {
        id,
        req,
        res,
        start,
        table: table!,
        endpoint,
        key,
        signal: ac,
        usage,
        limiter,
        shared: d.sharedLimits,
        record: rec,
        reservation: undefined,
        localReserve: 0,
        body: EMPTY,
        json: undefined,
        valid: undefined,
        stalls,
        traceparent: tp,
        trace,
      };
      // The body as the endpoint declares it; `raw` (the model ingresses) inline, one promise fewer.
      const reader = endpoint.body;
      if (reader === "raw") ctx.body = await readDecodedBody(req, table!.settings.maxBodyBytes);
      else if (reader !== undefined && reader !== "none") await readEndpointBody(ctx, endpoint);
      await endpoint.handle(ctx, rest);
    } catch (err) {
      const e = toRouterError(err);
      if (rec.errorCode === null) rec.errorCode = errorCodeOf(e);
      if (e.code === "internal_error") logger.error({ err, reqId: id, path }, "request failed");
      if (!res.headersSent) {
        const closeAfter = e.code === "body_too_large" || e.code === "request_timeout";
        (endpoint.sendError ?? sendError)(res, e, closeAfter ? { "x-request-id": id, connection: "close" } : { "x-request-id": id });
      } else res.end();
    } finally {
      if (gated) d.batchGate?.done();
      if (rec.batchId !== null) flight.batchLines--;
      flight.inFlight--;
      if (flight.inFlight === 0 && flight.idle) flight.idle();
      // The one point where a request's record is finished and handed to every sink: every endpoint, every outcome.
      ends.end(
        rec,
        { req, res, start, written0, read0, aborted: ac.aborted, queuedMs: ac.queuedMs },
        { limiter, reservation: ctx?.reservation, localReserve: ctx?.localReserve ?? 0, trace },
        endpoint.usage !== undefined,
      );
    }
  };
}
