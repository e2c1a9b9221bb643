import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import type { Socket } from "node:net";
import { connect as tlsConnect } from "node:tls";
import { proxyFor, type RuntimeProvider, redactUrl, type TlsConnectOptions, tlsConnectOptions } from "@ai-router/providers";
import type { ClientOptions } from "ws";

/**
 * TLS options per provider, built once (the CA bundle and client certificate read and parsed when a
 * provider's first realtime socket opens, not per socket); a table that changes the provider's
 * settings brings a new RuntimeProvider object, and so a new entry.
 */
const tlsCache = new WeakMap<RuntimeProvider, TlsConnectOptions>();

function tlsOf(p: RuntimeProvider): TlsConnectOptions {
  let t = tlsCache.get(p);
  if (t === undefined) {
    t = tlsConnectOptions(p.name, p);
    tlsCache.set(p, t);
  }
  return t;
}

/**
 * How a realtime upstream socket reaches its provider, as the HTTP transport does: the provider's TLS
 * settings (`ca_file` beside the public roots, the `cert_file`/`key_file` client certificate,
 * `tls_insecure_skip_verify`) and its egress proxy (its own `proxy_url`, else HTTPS_PROXY / NO_PROXY),
 * tunnelled with HTTP CONNECT. Resolves to the options `ws` connects with. A SOCKS5 proxy is not
 * supported for realtime sockets: the target fails (and the next one is tried) with a clear reason.
 */
export async function realtimeEgress(p: RuntimeProvider, url: URL, timeoutMs: number, env = process.env): Promise<ClientOptions> {
  const secure = url.protocol === "wss:";
  const tls = secure ? tlsOf(p) : {};
  const proxy = proxyFor(new URL(p.baseUrl), p.proxyUrl, env);
  if (proxy === undefined) return Object.assign({}, tls);
  const proxyUrl = new URL(proxy);
  if (proxyUrl.protocol !== "http:" && proxyUrl.protocol !== "https:") {
    throw new Error(`egress proxy ${redactUrl(proxy)}: realtime sockets go through http:// or https:// (CONNECT) proxies only`);
  }
  const port = url.port || (secure ? "443" : "80");
  const tunnel = await openTunnel(proxyUrl, url.hostname, port, timeoutMs);
  // The upgrade's request runs over the tunnel: TLS to the provider inside it for wss.
  const socket: Socket = secure
    ? tlsConnect(Object.assign({ socket: tunnel, servername: serverName(url.hostname), ALPNProtocols: ["http/1.1"] }, tls))
    : tunnel;
  return { createConnection: () => socket };
}

/** SNI carries a host name, never an address (RFC 6066 §3). */
const serverName = (host: string): string => (/^[\d.]+$/.test(host) || host.includes(":") ? "" : host);

/** Opens an HTTP CONNECT tunnel to `host:port` through the proxy (Basic credentials from its URL). */
function openTunnel(proxy: URL, host: string, port: string, timeoutMs: number): Promise<Socket> {
  const target = `${host.includes(":") ? `[${host}]` : host}:${port}`;
  const headers: Record<string, string> = { host: target };
  if (proxy.username || proxy.password) {
    const creds = `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`;
    headers["proxy-authorization"] = `Basic ${Buffer.from(creds).toString("base64")}`;
  }
  const request = proxy.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request({
      host: proxy.hostname.replace(/^\[|\]$/g, ""),
      port: proxy.port || (proxy.protocol === "https:" ? 443 : 80),
      method: "CONNECT",
      path: target,
      headers,
      timeout: timeoutMs,
    });
    const name = redactUrl(proxy.href);
    req.once("connect", (res: IncomingMessage, socket: Socket) => {
      req.setTimeout(0);
      if (res.statusCode === 200) return resolve(socket);
      socket.destroy();
      reject(new Error(`egress proxy ${name} refused the tunnel to ${target} (${res.statusCode})`));
    });
    req.once("timeout", () => req.destroy(new Error(`egress proxy ${name}: no tunnel to ${target} within ${timeoutMs} ms`)));
    req.once("error", (err) => reject(new Error(`egress proxy ${name}: ${err.message}`)));
    req.end();
  });
}
