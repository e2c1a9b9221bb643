import type { IncomingMessage, ServerResponse } from "node:http";
import type { TableClientKey } from "@ai-router/contracts";
import { RouterError } from "@ai-router/errors";
import type { UpstreamError } from "@ai-router/providers";
import type { Endpoint } from "../endpoints/endpoint.js";
import type { ClientSignal } from "../http/client-abort.js";
import type { StallWatch } from "../http/stall-watch.js";
import type { KeyLimiter } from "../limits/key-limiter.js";
import type { Reservation, SharedLimits } from "../limits/shared-limits.js";
import type { RequestRecord } from "../record/request-record.js";
import type { UsageRecorder } from "../record/usage-recorder.js";
import type { RuntimeTable } from "../routing/runtime-table.js";
import type { RequestTrace } from "../tracing/trace-context.js";

/** Everything a handler needs about the request being served. */
export interface RequestContext {
  readonly id: string;
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  /** performance.now() at arrival. */
  readonly start: number;
  readonly table: RuntimeTable;
  /** The endpoint being served, as declared (endpoints/endpoint.ts). */
  readonly endpoint: Endpoint;
  readonly key: TableClientKey | undefined;
  /** Aborted when the client goes away; cancels upstream calls. */
  readonly signal: ClientSignal;
  readonly usage: UsageRecorder;
  /** The client key's limiter, when the key has limits: charged with the request's tokens and cost. */
  readonly limiter: KeyLimiter | undefined;
  /** The request's one record, filled in along the way (see record/request-record.ts). */
  readonly record: RequestRecord;
  /** What the cluster-wide limiter reserved for this request, settled when it ends. */
  reservation: Reservation | undefined;
  /** USD reserved from the key's budget counted in this process (0: none), given back when it ends. */
  localReserve: number;
  /** Told when a streamed response waits on its client (a client that stops reading is cut). */
  readonly stalls?: StallWatch | undefined;
  /** The client's valid W3C `traceparent`, passed upstream as it is (traces not exported). */
  readonly traceparent?: string | undefined;
  /** This request's spans when traces are exported (OTEL_EXPORTER_OTLP_ENDPOINT). */
  readonly trace?: RequestTrace | undefined;
  /** The body as the endpoint's reader left it (endpoints/endpoint.ts): bytes; empty when not read. */
  body: Buffer;
  /** A `json` body as the client sent it. */
  json: Record<string, unknown> | undefined;
  /** A `json` body as the endpoint's schema made it. */
  valid: unknown;
  /** Cluster-wide limits (Redis); undefined: the limiter admitted the request already (standalone). */
  readonly shared?: SharedLimits | undefined;
}

/** Turns a provider's error into the client's error, keeping its status, message, type and code. */
export function upstreamToRouterError(e: RouterError | UpstreamError): RouterError {
  if (e instanceof RouterError) return e;
  return new RouterError("upstream_bad_response", e.message, { status: e.status, type: e.type, publicCode: e.code, param: e.param });
}

/** Headers that say who served the request. */
export function servedHeaders(
  ctx: RequestContext,
  provider: string,
  upstreamModel: string,
  attempts: number,
  warnings?: string[],
): Record<string, string> {
  const h: Record<string, string> = {
    "x-request-id": ctx.id,
    "x-router-provider": provider,
    "x-router-model": upstreamModel,
    "x-router-attempts": String(attempts),
  };
  if (warnings && warnings.length > 0) h["x-router-warnings"] = warnings.join(", ");
  if (ctx.record.cacheResult !== undefined) h["x-router-cache"] = ctx.record.cacheResult;
  if (ctx.limiter !== undefined) ctx.limiter.rateHeaders(h, Date.now());
  return h;
}
