import { z } from "zod";

/**
 * How a provider's connections are made: egress proxy, TLS trust and client certificate, HTTP version.
 * Shared by `router.yaml`, the admin API and the routing table (which carries the same fields in
 * camelCase, the proxy URL sealed in cluster mode).
 */

/** Egress proxy schemes the proxy's HTTP client (undici) supports. */
export const PROXY_PROTOCOLS = ["http:", "https:", "socks5:"] as const;

/** Problem with a proxy URL (undefined when it is usable); the message never repeats the URL (it may hold a password). */
export function proxyUrlProblem(value: string): string | undefined {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    return "must be a URL such as http://user:password@proxy.example:3128";
  }
  if (!(PROXY_PROTOCOLS as readonly string[]).includes(u.protocol)) return "must start with http://, https:// or socks5://";
  if (!u.hostname) return "needs a host";
  if ((u.pathname !== "/" && u.pathname !== "") || u.search || u.hash) return "must be a proxy origin only (no path, query or fragment)";
  return undefined;
}

/** `http://`, `https://` or `socks5://` proxy origin, optionally with `user:password@`. */
export const ProxyUrl = z
  .string()
  .min(1)
  .max(2048)
  .superRefine((v, ctx) => {
    const problem = proxyUrlProblem(v);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });

/** A file on every proxy and health-worker host (a mounted secret): a PEM CA bundle, certificate or key. */
export const PemFilePath = z
  .string()
  .min(1)
  .max(4096)
  .regex(/^[^\0\r\n]+$/, "a file path on one line");

/**
 * `auto`: over TLS, offer HTTP/2 and HTTP/1.1 by ALPN and use what the server picks (plain `http://`
 * stays HTTP/1.1); `on`: HTTP/2 only (ALPN `h2` over TLS, prior knowledge over `http://`), a server
 * without it fails the connection; `off`: HTTP/1.1 only.
 */
export const Http2Mode = z.enum(["auto", "on", "off"]);
export type Http2Mode = z.infer<typeof Http2Mode>;

/** The default when a provider does not say (and for tables of releases before the field). */
export const DEFAULT_HTTP2_MODE: Http2Mode = "auto";

/** `cert_file` and `key_file` come together (a client certificate needs its key). */
export const clientCertPaired = (p: { cert_file?: string | null | undefined; key_file?: string | null | undefined }): boolean =>
  !p.cert_file === !p.key_file;
export const CLIENT_CERT_MESSAGE = "give cert_file and key_file together (a client certificate and its key)";

/** The admin API's provider fields for the transport (create and update bodies). */
export const providerTransportFields = {
  /** Egress proxy (`http://`, `https://`, `socks5://`, `user:password@` allowed); stored sealed, shown masked; null = the replicas' HTTPS_PROXY. */
  proxy_url: ProxyUrl.nullable(),
  /** PEM files on every proxy and health-worker host. */
  ca_file: PemFilePath.nullable(),
  cert_file: PemFilePath.nullable(),
  key_file: PemFilePath.nullable(),
  /** Test setups only: the upstream's certificate is not checked. */
  tls_insecure_skip_verify: z.boolean(),
  http2: Http2Mode,
};

/** The same in a provider as the admin API answers it. */
export const providerTransportOut = {
  /** The egress proxy with its user and password masked (`http://***@proxy:3128`); null = none of its own. */
  proxy_url: z.string().nullable(),
  ca_file: z.string().nullable(),
  cert_file: z.string().nullable(),
  key_file: z.string().nullable(),
  tls_insecure_skip_verify: z.boolean(),
  http2: Http2Mode,
};
