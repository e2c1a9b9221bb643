import { decryptSecret, encryptSecret, type Http2Mode, type TableProvider } from "@ai-router/contracts";
import { redactUrl } from "@ai-router/providers";

/**
 * A provider's transport columns (egress proxy, TLS files, HTTP/2) between the admin API, the rows and
 * the routing table. The proxy URL may hold a password: it is stored, published and cached sealed
 * (`enc:v1:`, like keys and header values), opened only in proxy and health-worker memory, and shown
 * with its user and password masked.
 */
export interface TransportColumns {
  proxyUrl: string | null;
  caFile: string | null;
  certFile: string | null;
  keyFile: string | null;
  skipTlsVerify: boolean;
  http2: string;
}

/** The admin API's (and router.yaml's) fields; undefined = not given (an update leaves the column). */
export interface TransportFields {
  proxy_url?: string | null | undefined;
  ca_file?: string | null | undefined;
  cert_file?: string | null | undefined;
  key_file?: string | null | undefined;
  tls_insecure_skip_verify?: boolean | undefined;
  http2?: Http2Mode | undefined;
}

/** Columns to write for the fields given (the proxy URL sealed). */
export function transportData(b: TransportFields, key: Buffer): Partial<TransportColumns> {
  const d: Partial<TransportColumns> = {};
  if (b.proxy_url !== undefined) d.proxyUrl = b.proxy_url === null ? null : encryptSecret(b.proxy_url, key);
  if (b.ca_file !== undefined) d.caFile = b.ca_file;
  if (b.cert_file !== undefined) d.certFile = b.cert_file;
  if (b.key_file !== undefined) d.keyFile = b.key_file;
  if (b.tls_insecure_skip_verify !== undefined) d.skipTlsVerify = b.tls_insecure_skip_verify;
  if (b.http2 !== undefined) d.http2 = b.http2;
  return d;
}

/** The fields as an answer shows them: the proxy URL masked (`http://***@proxy:3128`). */
export function transportOut(p: TransportColumns, key: Buffer) {
  return {
    proxy_url: p.proxyUrl === null ? null : maskedProxy(p.proxyUrl, key),
    ca_file: p.caFile,
    cert_file: p.certFile,
    key_file: p.keyFile,
    tls_insecure_skip_verify: p.skipTlsVerify,
    http2: toHttp2(p.http2),
  };
}

function maskedProxy(sealed: string, key: Buffer): string {
  try {
    return redactUrl(decryptSecret(sealed, key));
  } catch {
    return "(sealed)"; // sealed under another master key
  }
}

const toHttp2 = (v: string): Http2Mode => (v === "on" || v === "off" ? v : "auto");

/** The table's fields for a row: only those set, so a provider without them compiles as before. */
export function tableTransport(p: TransportColumns): Partial<TableProvider> {
  const t: Partial<TableProvider> = {};
  if (p.proxyUrl !== null) t.proxyUrl = p.proxyUrl;
  if (p.caFile !== null) t.caFile = p.caFile;
  if (p.certFile !== null) t.certFile = p.certFile;
  if (p.keyFile !== null) t.keyFile = p.keyFile;
  if (p.skipTlsVerify) t.tlsInsecureSkipVerify = true;
  const http2 = toHttp2(p.http2);
  if (http2 !== "auto") t.http2 = http2;
  return t;
}
