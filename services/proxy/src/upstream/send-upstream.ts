import type { EventEmitter } from "node:events";
import { RouterError } from "@ai-router/errors";
import type { UpstreamRequest, UpstreamResponse } from "@ai-router/providers";
import type { Dispatcher } from "undici";
import type { ClientSignal } from "../http/client-abort.js";
import type { LiveProvider } from "../routing/runtime-table.js";

/**
 * Sends one request to a provider through its keep-alive pool, with the provider's timeouts, or
 * through its in-process transport (the mock). A pooled request holds one of the pool's connection
 * slots until its response body is finished; with none free it waits (bounded, counted in
 * `signal.queuedMs`) or fails with `upstream_busy`, a failover trigger.
 */
export async function sendUpstream(live: LiveProvider, req: UpstreamRequest, signal: ClientSignal): Promise<UpstreamResponse> {
  const p = live.config;
  const local = live.adapter.transport;
  if (local) return local.send(req);
  const { agent, gate } = live;
  if (!agent || !gate) throw new Error(`provider ${p.name} has no connection pool`);
  if (!gate.tryAcquire()) signal.queuedMs += await gate.wait(p.name, signal);
  let resp: Dispatcher.ResponseData;
  try {
    resp = await request(agent, p, req, signal);
  } catch (err) {
    gate.release();
    throw err;
  }
  resp.body.once("close", () => gate.release());
  return resp;
}

function request(
  agent: NonNullable<LiveProvider["agent"]>,
  p: LiveProvider["config"],
  req: UpstreamRequest,
  signal: ClientSignal,
): Promise<Dispatcher.ResponseData> {
  return agent.request({
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
  if (err instanceof RouterError) return err; // upstream_busy from the connection gate
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
