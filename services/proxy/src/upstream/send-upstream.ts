import { RouterError } from "@ai-router/errors";
import { describeTransportFailure as describeFailure, type UpstreamRequest, type UpstreamResponse } from "@ai-router/providers";
import type { Dispatcher } from "undici";
import type { ClientSignal } from "../http/client-abort.js";
import type { LiveProvider } from "../routing/runtime-table.js";
import { BodyBytes } from "./body-bytes.js";
import { dispatchRequest } from "./dispatch-body.js";
import { dispatchWhole, type WholeLimits, type WholeResponse } from "./dispatch-whole.js";
import type { AttemptOutcome } from "./failover.js";

type Agent = NonNullable<LiveProvider["agent"]>;
type Gate = NonNullable<LiveProvider["gate"]>;
/** Sends one request on the pool with a slot taken from `gate` (released by the sender). */
type PoolSend<T> = (agent: Agent, opts: Dispatcher.DispatchOptions, signal: ClientSignal, gate: Gate) => Promise<T>;

/**
 * Sends one request to a provider through its keep-alive pool, with the provider's timeouts, or
 * through its in-process transport (the mock). A pooled request holds one of the pool's connection
 * slots until its response body is finished; with none free it waits (bounded, counted in
 * `signal.queuedMs`) or fails with `upstream_busy`, a failover trigger. The in-process transport answers
 * synchronously; any failure may also be thrown synchronously (the caller awaits it in a try).
 */
export function sendUpstream(
  live: LiveProvider,
  req: UpstreamRequest,
  signal: ClientSignal,
  traceparent?: string,
): UpstreamResponse | Promise<UpstreamResponse> {
  const local = live.adapter.transport;
  if (local) return local.send(req);
  return pooled(live, req, signal, traceparent, streamed);
}

/**
 * The same for an answer read whole (JSON): resolves once, at the answer's end, with its status and
 * bytes (see dispatchWhole); a 2xx body over MAX_UPSTREAM_BODY_BYTES rejects, an error body is cut
 * at MAX_UPSTREAM_ERROR_BYTES.
 */
export function sendUpstreamWhole(
  live: LiveProvider,
  req: UpstreamRequest,
  signal: ClientSignal,
  traceparent?: string,
): Promise<WholeResponse> {
  const local = live.adapter.transport;
  if (local) return readWhole(local.send(req));
  return pooled(live, req, signal, traceparent, whole);
}

const streamed: PoolSend<UpstreamResponse> = (agent, opts, signal, gate) => dispatchRequest(agent, opts, signal, gate);
const whole: PoolSend<WholeResponse> = (agent, opts, signal, gate) => dispatchWhole(agent, opts, signal, WHOLE_LIMITS, gate);

/** An answer (an in-process transport's, or a stream's error answer) read whole, with the same limits. */
export async function readWhole(resp: UpstreamResponse): Promise<WholeResponse> {
  const failed = resp.statusCode >= 400;
  const body = failed
    ? await readAll(resp.body, MAX_UPSTREAM_ERROR_BYTES, true).catch(() => Buffer.alloc(0))
    : await readAll(resp.body, MAX_UPSTREAM_BODY_BYTES);
  return { statusCode: resp.statusCode, body };
}

/** Sends on the provider's pool: at once when a slot is free, else after a (bounded) wait for one. */
function pooled<T>(
  live: LiveProvider,
  req: UpstreamRequest,
  signal: ClientSignal,
  traceparent: string | undefined,
  send: PoolSend<T>,
): Promise<T> {
  const p = live.config;
  const { agent, gate } = live;
  if (!agent || !gate) throw new Error(`provider ${p.name} has no connection pool`);
  // The common case, a free slot, is the request itself: no async frame, closure or extra microtask for it.
  if (gate.tryAcquire()) return send(agent, dispatchOptions(live, req, traceparent), signal, gate);
  return queued(gate, p.name, signal, () => send(agent, dispatchOptions(live, req, traceparent), signal, gate));
}

/** No slot free: wait for one (bounded), then send. */
async function queued<T>(gate: Gate, provider: string, signal: ClientSignal, go: () => Promise<T>): Promise<T> {
  // A wait that ran out (503 upstream_busy, failing over) was time queued too.
  const since = performance.now();
  try {
    await gate.wait(provider, signal);
  } finally {
    signal.queuedMs += performance.now() - since;
  }
  return go();
}

function dispatchOptions(live: LiveProvider, req: UpstreamRequest, traceparent: string | undefined): Dispatcher.DispatchOptions {
  const p = live.config;
  return {
    origin: p.origin,
    path: req.rootPath === true ? req.path : p.basePath + req.path,
    method: req.method,
    // W3C trace context goes upstream (the client's, or this attempt's span when traces are exported).
    headers: traceparent === undefined ? req.headers : Object.assign({}, req.headers, { traceparent }),
    body: req.body ?? null,
    headersTimeout: p.timeoutMs,
    bodyTimeout: p.timeoutMs,
    // undici 7 runs a POST alone on an HTTP/2 connection unless it is marked idempotent (a stream of its
    // own cannot break the others); over HTTP/1.1 (pipelining 1) the mark changes nothing.
    idempotent: live.multiplex,
  };
}

const timeoutCodes = new Set(["UND_ERR_CONNECT_TIMEOUT", "UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT", "ETIMEDOUT"]);

/** Classifies a transport failure as a RouterError; every one of them is a failover trigger. */
export function transportError(err: unknown, provider: string): RouterError {
  if (err instanceof RouterError) return err; // upstream_busy from the connection gate
  const code = (err as { code?: string } | null)?.code ?? "";
  if (timeoutCodes.has(code)) {
    return new RouterError("upstream_timeout", `Provider ${provider} timed out.`, { cause: err });
  }
  return new RouterError("upstream_unreachable", `Provider ${provider} could not be reached${describeTransportFailure(err, code)}.`, {
    cause: err,
  });
}

/**
 * A request that failed on its way: the next target is tried, unless its own body failed (an upload
 * too large or cut off: a 4xx the router raised), which no other target would take better.
 */
export function transportFailure(err: unknown, provider: string): AttemptOutcome {
  const error = transportError(err, provider);
  return { kind: error.status < 500 ? "final" : "retry", error };
}

/** Why a connection failed, in words an operator can act on (TLS trust, the egress proxy), else its code. */
function describeTransportFailure(err: unknown, code: string): string {
  const known = describeFailure(err);
  if (known !== undefined) return ` (${known})`;
  return code ? ` (${code})` : "";
}

/** Largest upstream answer read whole (JSON bodies: a batch of base64 images fits). */
export const MAX_UPSTREAM_BODY_BYTES = 64 * 1024 * 1024;
/** Error bodies: only their start is read (the message), the rest is dropped. */
export const MAX_UPSTREAM_ERROR_BYTES = 64 * 1024;
const WHOLE_LIMITS: WholeLimits = { okBytes: MAX_UPSTREAM_BODY_BYTES, errorBytes: MAX_UPSTREAM_ERROR_BYTES };

/**
 * Reads an upstream body whole, up to `maxBytes`: beyond that the body is destroyed and this rejects
 * (an upstream must not make the router buffer without bound). With `truncate`, resolves with the first
 * `maxBytes` instead. `data`/`end` listeners, not `for await`: no async iterator and promise per chunk
 * on every JSON answer.
 */
export function readAll(body: UpstreamResponse["body"], maxBytes = MAX_UPSTREAM_BODY_BYTES, truncate = false): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const collected = new BodyBytes(maxBytes, truncate);
    const done = (err?: Error | null) => {
      body.off("data", onData);
      body.off("end", onEnd);
      body.off("error", done);
      body.off("close", onClose);
      // A destroyed body may still emit 'error': never leave it without a listener.
      body.on("error", ignore);
      if (err) reject(err);
      else resolve(collected.bytes());
    };
    const onData = (c: Buffer | string) => {
      if (collected.add(typeof c === "string" ? Buffer.from(c) : c)) return;
      done(collected.tooLarge());
      body.destroy();
    };
    const onEnd = () => done();
    // Closed without an end or an error (destroyed): the answer is incomplete.
    const onClose = () => done(Object.assign(new Error("upstream body closed before its end"), { code: "ERR_STREAM_PREMATURE_CLOSE" }));
    body.on("data", onData);
    body.on("end", onEnd);
    body.on("error", done);
    body.on("close", onClose);
  });
}

const ignore = () => {};
