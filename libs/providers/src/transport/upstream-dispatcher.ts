import type { Socket } from "node:net";
import { Agent, buildConnector, Client, type Dispatcher, ProxyAgent, Socks5ProxyAgent } from "undici";
import { proxyFor, redactUrl } from "./egress-proxy.js";
import { MultiplexPool } from "./multiplex-pool.js";
import { type TlsConnectOptions, type TlsSettings, tlsConnectOptions } from "./tls-context.js";
import { TransportConfigError } from "./transport-error.js";

/**
 * Concurrent streams per HTTP/2 connection (Node's and most servers' SETTINGS_MAX_CONCURRENT_STREAMS
 * is 100; a server announcing fewer gets the rest queued by nghttp2 until streams close).
 */
export const H2_STREAMS_PER_CONNECTION = 100;

/** A provider as far as its connections are concerned (its proxy URL already opened). */
export interface TransportProvider extends TlsSettings {
  name: string;
  /** `https://host:port` of the upstream. */
  origin: string;
  maxConnections: number;
  connectTimeoutMs: number;
  proxyUrl?: string | undefined;
  http2?: "auto" | "on" | "off" | undefined;
}

export interface TransportOptions {
  /** HTTPS_PROXY / HTTP_PROXY / NO_PROXY come from here (process.env by default). */
  env?: NodeJS.ProcessEnv;
  /** Overrides the provider's `maxConnections` (health probes need few). */
  connections?: number;
  keepAliveTimeout?: number;
  keepAliveMaxTimeout?: number;
  /** Called once, when the first connection of this pool negotiates HTTP/2. */
  onHttp2?: () => void;
  /** Reads PEM files (tests); fs.readFileSync by default. */
  readFile?: (path: string) => Buffer;
}

/** A provider's connection pool and what it was built with. */
export interface UpstreamTransport {
  dispatcher: Dispatcher;
  /** The egress proxy in use, with its credentials masked; undefined when connections go direct. */
  proxy: string | undefined;
  /** HTTP/2 may be negotiated: requests are then marked idempotent so undici multiplexes POSTs. */
  mayUseHttp2: boolean;
  /** HTTP/2 is certain from the first connection (`http2: on`). */
  http2Only: boolean;
}

/** What an operator must hear at every table load about a provider's transport (certificate checks off). */
export function transportWarnings(p: Pick<TransportProvider, "name" | "tlsInsecureSkipVerify">): string[] {
  return p.tlsInsecureSkipVerify === true
    ? [`provider "${p.name}": tls_insecure_skip_verify is on: its certificate is not checked (for test setups only)`]
    : [];
}

/**
 * Builds a provider's pool: direct, or through its egress proxy (its own `proxyUrl`, else the
 * environment's, see {@link proxyFor}), with its TLS settings and HTTP version. Connections and TLS
 * sessions are kept and reused (keep-alive; undici's connector caches TLS sessions per server name, so
 * a new connection resumes instead of a full handshake). Throws TransportConfigError with a message
 * fit for an operator (never a password) when the settings cannot be used.
 */
export function createUpstreamTransport(p: TransportProvider, opts: TransportOptions = {}): UpstreamTransport {
  const origin = new URL(p.origin);
  const tls = origin.protocol === "https:";
  const mode = p.http2 ?? "auto";
  const tlsOpts = tls ? tlsConnectOptions(p.name, p, opts.readFile) : {};
  const proxy = proxyFor(origin, p.proxyUrl, opts.env ?? process.env);
  const proxyProtocol = proxy === undefined ? undefined : safeProtocol(proxy);
  if (proxy !== undefined && proxyProtocol === undefined) {
    throw new TransportConfigError(`provider "${p.name}": egress proxy ${redactUrl(proxy)} must be an http://, https:// or socks5:// URL`);
  }
  const socks = proxyProtocol === "socks5:" || proxyProtocol === "socks:";
  if (socks && mode === "on") {
    throw new TransportConfigError(`provider "${p.name}": http2: on is not available through a socks5 proxy (use auto or off)`);
  }
  // HTTP/2 over TLS by ALPN (auto, on); over plain http only with prior knowledge (on).
  const mayUseHttp2 = !socks && (mode === "on" || (mode === "auto" && tls));
  const http2Only = mayUseHttp2 && mode === "on";
  const connections = opts.connections ?? p.maxConnections;
  const common = {
    connections,
    keepAliveTimeout: opts.keepAliveTimeout ?? 30_000,
    keepAliveMaxTimeout: opts.keepAliveMaxTimeout ?? 600_000,
    ...(mayUseHttp2 ? { factory: poolFactory(p.name, http2Only, !tls, opts.onHttp2) } : {}),
  };
  const connect = Object.assign({ timeout: p.connectTimeoutMs }, tlsOpts);
  let dispatcher: Dispatcher;
  if (proxy === undefined) {
    dispatcher = new Agent(Object.assign({}, common, { connect, allowH2: mayUseHttp2 && tls }));
  } else if (socks) {
    // undici's SOCKS5 agent (experimental in undici 7): HTTP/1.1, its own pool per origin.
    // (`proxyTls` would make it speak TLS to the proxy itself: the connect timeout goes in `connect`.)
    dispatcher = new Socks5ProxyAgent(proxy, {
      connect: buildConnector({ timeout: p.connectTimeoutMs }),
      requestTls: tlsOpts,
    } as Socks5ProxyAgent.Options);
  } else {
    // The tunnel's TLS (and its ALPN) is set by requestTls: the pool's own connect options are not used.
    const requestTls = Object.assign({}, connect, mayUseHttp2 && tls ? { allowH2: true } : {}) as ProxyAgent.Options["requestTls"];
    dispatcher = new ProxyAgent(Object.assign({}, common, { uri: proxy, proxyTls: { timeout: p.connectTimeoutMs }, requestTls }));
  }
  return { dispatcher, proxy: proxy === undefined ? undefined : redactUrl(proxy), mayUseHttp2, http2Only };
}

/** A key of what the pool is built from: a provider whose key is unchanged keeps its pool across tables. */
export function transportKey(p: TransportProvider, env: NodeJS.ProcessEnv = process.env): string {
  const proxy = proxyFor(new URL(p.origin), p.proxyUrl, env);
  return JSON.stringify([
    p.origin,
    p.maxConnections,
    p.connectTimeoutMs,
    proxy,
    p.caFile,
    p.certFile,
    p.keyFile,
    p.tlsInsecureSkipVerify === true,
    p.http2 ?? "auto",
  ]);
}

function safeProtocol(url: string): string | undefined {
  try {
    const u = new URL(url);
    return ["http:", "https:", "socks5:", "socks:"].includes(u.protocol) ? u.protocol : undefined;
  } catch {
    return undefined;
  }
}

/**
 * undici multiplexes HTTP/2 streams on one connection only when its client's `pipelining` allows more
 * than one request (undici 7; with HTTP/1.1 that would pipeline, which must never happen to streams).
 * So each connection's pipelining is set from what ALPN chose: 100 streams on `h2`, 1 on `http/1.1`.
 * Connections are handed requests by a {@link MultiplexPool} (a burst fills a connection, even one still
 * connecting, before the next is opened). One connector per origin, so TLS sessions are resumed.
 */
function poolFactory(name: string, http2Only: boolean, h2c: boolean, onHttp2: (() => void) | undefined) {
  let spokeH2 = http2Only;
  return (origin: URL | string, options: Agent.Options & { connect?: unknown; allowH2?: boolean }): Dispatcher => {
    const connect: ConnectFn =
      typeof options.connect === "function"
        ? (options.connect as unknown as ConnectFn)
        : (buildConnector(
            Object.assign({ allowH2: options.allowH2 === true }, options.connect as object) as buildConnector.BuildOptions,
          ) as unknown as ConnectFn);
    const newClient = (onProtocol: (h2: boolean) => void): Client => {
      const wrapped: ConnectFn = (o, cb) =>
        connect(o, (err, socket) => {
          if (err || !socket) return cb(err ?? new Error("no socket"), null);
          const s = socket as Socket & { alpnProtocol?: string | false | null };
          if (h2c) s.alpnProtocol = "h2"; // plain http with http2: on: HTTP/2 by prior knowledge
          const h2 = s.alpnProtocol === "h2";
          if (http2Only && !h2) {
            s.destroy();
            return cb(
              new TransportConfigError(`provider "${name}": the server did not agree to HTTP/2 (http2: on); use http2: auto`),
              null,
            );
          }
          if (h2 && !spokeH2) {
            spokeH2 = true;
            onHttp2?.();
          }
          const want = h2 ? H2_STREAMS_PER_CONNECTION : 1;
          if (client.pipelining !== want) client.pipelining = want;
          onProtocol(h2);
          cb(null, s);
        });
      const client: Client = new Client(origin, {
        pipelining: spokeH2 ? H2_STREAMS_PER_CONNECTION : 1,
        allowH2: true,
        keepAliveTimeout: options.keepAliveTimeout ?? 30_000,
        keepAliveMaxTimeout: options.keepAliveMaxTimeout ?? 600_000,
        connect: wrapped as unknown as Client.Options["connect"],
      });
      return client;
    };
    return new MultiplexPool(origin, options.connections ?? 1, H2_STREAMS_PER_CONNECTION, newClient, spokeH2);
  };
}

type ConnectFn = (opts: Record<string, unknown>, cb: (err: Error | null, socket: Socket | null) => void) => void;

export type { TlsConnectOptions };
