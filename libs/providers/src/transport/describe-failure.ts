/** OpenSSL's verdicts on an upstream certificate that the operator can act on (ca_file). */
const untrusted = new Set([
  "SELF_SIGNED_CERT_IN_CHAIN",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "CERT_UNTRUSTED",
]);

/**
 * Why a connection to an upstream failed, when it is something about TLS or the egress proxy, in
 * words an operator can act on: an untrusted certificate (names ca_file), a certificate for another
 * host, the proxy's refusal (its status). Never a URL or credential. Undefined for other failures.
 */
export function describeTransportFailure(err: unknown): string | undefined {
  const e = err as { code?: string; message?: string; cause?: { code?: string; message?: string } } | null;
  const code = e?.code ?? e?.cause?.code ?? "";
  if (untrusted.has(code)) return `TLS: its certificate is not trusted, ${code}; trust its CA with ca_file`;
  if (code === "ERR_TLS_CERT_ALTNAME_INVALID") return `TLS: its certificate is for another host, ${code}`;
  const message = String(e?.message ?? "");
  // Our own connect checks (http2: on against a server without it): already in an operator's words.
  if ((err as Error | null)?.name === "TransportConfigError") return message.replace(/^provider "[^"]*": /, "");
  const proxied = /^Proxy response \((\d{3})\)/.exec(message);
  if (proxied) return `the egress proxy refused the tunnel: HTTP ${proxied[1]}`;
  if (message.includes("Proxy Authentication Required")) return "the egress proxy refused: HTTP 407";
  if (code.startsWith("UND_ERR_SOCKS5")) return `the SOCKS5 proxy refused: ${code}`;
  return undefined;
}
