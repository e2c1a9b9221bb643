import type { EventEmitter } from "node:events";
import { RouterError } from "@ai-router/errors";
import type { UpstreamRequest, UpstreamResponse } from "@ai-router/providers";
import type { Dispatcher } from "undici";
import type { ClientSignal } from "../http/client-abort.js";
import type { LiveProvider } from "../routing/runtime-table.js";

/**
 * Sends one request to a provider through its keep-alive pool, with the provider's timeouts, or
 * through its in-process transport (the mock).
 */
export function sendUpstream(live: LiveProvider, req: UpstreamRequest, signal: ClientSignal): Promise<UpstreamResponse> {
  const p = live.config;
  const local = live.adapter.transport;
  if (local) return Promise.resolve(local.send(req));
  if (!live.agent) throw new Error(`provider ${p.name} has no connection pool`);
  return live.agent.request({
    origin: p.origin,
    path: p.basePath + req.path,
    method: req.method,
    headers: req.headers,
    body: req.body ?? null,
    headersTimeout: p.timeoutMs,
    bodyTimeout: p.timeoutMs,
    // undici takes any emitter with on/once/removeListener as a signal.
    signal: signal as unknown as EventEmitter,
  });
}

const timeoutCodes = new Set(["UND_ERR_CONNECT_TIMEOUT", "UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT", "ETIMEDOUT"]);

/** Classifies a transport failure as a RouterError; every one of them is a failover trigger. */
export function transportError(err: unknown, provider: string): RouterError {
  const code = (err as { code?: string } | null)?.code ?? "";
  if (timeoutCodes.has(code)) {
    return new RouterError("upstream_timeout", `Provider ${provider} timed out.`, { cause: err });
  }
  return new RouterError("upstream_unreachable", `Provider ${provider} could not be reached${code ? ` (${code})` : ""}.`, { cause: err });
}

/** Drains and reads a whole upstream body as bytes. */
export async function readAll(body: UpstreamResponse["body"]): Promise<Buffer> {
  const undiciBody = body as Partial<Dispatcher.ResponseData["body"]>;
  if (undiciBody.arrayBuffer) return Buffer.from(await undiciBody.arrayBuffer());
  const chunks: Buffer[] = [];
  for await (const c of body) chunks.push(typeof c === "string" ? Buffer.from(c) : (c as Buffer));
  return Buffer.concat(chunks);
}
