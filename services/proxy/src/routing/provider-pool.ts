import { createUpstreamTransport, H2_STREAMS_PER_CONNECTION, type RuntimeProvider, transportKey } from "@ai-router/providers";
import type { Dispatcher } from "undici";
import { ConnectionGate } from "../upstream/connection-gate.js";

/** A provider's pool and its gate, built when a table brings the provider (or changes how it connects). */
export interface ProviderPool {
  agent: Dispatcher;
  gate: ConnectionGate;
  /** HTTP/2 may be negotiated: dispatches are marked idempotent so undici multiplexes them. */
  multiplex: boolean;
}

/** What the pool is built from: a provider whose key is unchanged keeps its pool (and its connections). */
export const poolKey = (p: RuntimeProvider, env: NodeJS.ProcessEnv): string => transportKey(p, env);

/**
 * Builds the pool (direct or through the egress proxy, with the provider's TLS and HTTP version) and
 * its gate. Over HTTP/1.1 a request holds a connection, so the gate's limit is `max_connections`; over
 * HTTP/2 it holds a stream, so the limit is `max_connections` x 100 streams: from the start with
 * `http2: on`, and for `auto` once the first connection has negotiated `h2` by ALPN. Throws
 * TransportConfigError (a table problem: the table is refused, the last good one kept).
 */
export function buildPool(p: RuntimeProvider, env: NodeJS.ProcessEnv, poolWaitMs: number | undefined): ProviderPool {
  const h2Limit = p.maxConnections * H2_STREAMS_PER_CONNECTION;
  const h2Name = `max_connections ${p.maxConnections} x ${H2_STREAMS_PER_CONNECTION} HTTP/2 streams`;
  let gate: ConnectionGate | undefined;
  const t = createUpstreamTransport(p, {
    env,
    onHttp2: () => gate?.setLimit(h2Limit, h2Name),
  });
  gate = t.http2Only
    ? new ConnectionGate(h2Limit, poolWaitMs, h2Name)
    : new ConnectionGate(p.maxConnections, poolWaitMs, `max_connections ${p.maxConnections}`);
  return { agent: t.dispatcher, gate, multiplex: t.mayUseHttp2 };
}
