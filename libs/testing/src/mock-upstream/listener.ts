import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createH2cServer, createSecureServer, type Http2SecureServer, type Http2Server } from "node:http2";
import { createServer as createHttpsServer } from "node:https";
import type { Socket } from "node:net";

/** How the mock listens: plain HTTP/1.1 (default), TLS, HTTP/2. */
export interface MockListen {
  /** PEM key and certificate: the mock speaks HTTPS; with `clientCa`, it requires a client certificate signed by it (mTLS). */
  tls?: { key: string | Buffer; cert: string | Buffer; clientCa?: string | Buffer };
  /**
   * HTTP/2: over TLS offered by ALPN (`h2` preferred, HTTP/1.1 still accepted unless `http2Only`); without
   * TLS, HTTP/2 by prior knowledge (h2c).
   */
  http2?: boolean;
  /** With `http2` over TLS: ALPN offers `h2` only (a client that insists on HTTP/1.1 cannot connect). */
  http2Only?: boolean;
}

export type MockServer = Server | Http2SecureServer | Http2Server;
type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** A listening server of the kind asked for; every socket is tracked in `sockets` (closed by `close()`). */
export function createMockServer(listen: MockListen, handler: Handler, sockets: Set<Socket>): MockServer {
  let server: MockServer;
  const t = listen.tls;
  const tls = t
    ? { key: t.key, cert: t.cert, ...(t.clientCa ? { ca: t.clientCa, requestCert: true, rejectUnauthorized: true } : {}) }
    : undefined;
  if (listen.http2) {
    // The compatibility API hands out request/response objects shaped like node:http's.
    const h = handler as unknown as Parameters<typeof createH2cServer>[1];
    server = tls ? createSecureServer({ ...tls, allowHTTP1: listen.http2Only !== true }, h) : createH2cServer(h);
  } else if (tls) {
    server = createHttpsServer(tls, handler);
    (server as Server).keepAliveTimeout = 30_000;
  } else {
    server = createHttpServer(handler);
    server.keepAliveTimeout = 30_000;
  }
  server.on(listen.tls ? "secureConnection" : "connection", (s: Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  return server;
}

/** Headers HTTP/2 forbids (connection-specific); dropped from what the mock writes on an HTTP/2 stream. */
export function forHttpVersion(req: IncomingMessage, headers: Record<string, string | number>): Record<string, string | number> {
  if (req.httpVersionMajor !== 2) return headers;
  const out: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(headers)) if (!/^(connection|keep-alive|transfer-encoding|upgrade)$/i.test(k)) out[k] = v;
  return out;
}
