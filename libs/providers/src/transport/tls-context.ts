import { X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { createSecureContext, rootCertificates, type SecureContext, type SecureContextOptions } from "node:tls";
import { TransportConfigError } from "./transport-error.js";

/** What a provider says about TLS (table fields). */
export interface TlsSettings {
  caFile?: string | undefined;
  certFile?: string | undefined;
  keyFile?: string | undefined;
  tlsInsecureSkipVerify?: boolean | undefined;
}

/** Options undici's connector passes to `tls.connect` for this provider (empty: Node's defaults). */
export interface TlsConnectOptions {
  secureContext?: SecureContext;
  rejectUnauthorized?: boolean;
}

/**
 * The provider's TLS settings as connect options: one SecureContext built when the table is loaded
 * (the CA bundle and client certificate parsed once, not per connection), trusting the `ca_file` CAs
 * beside Node's public roots. Files are read here, at table load, never on a request. Throws
 * TransportConfigError naming the field and file when a file cannot be read or is not PEM.
 */
export function tlsConnectOptions(name: string, t: TlsSettings, read: (path: string) => Buffer = readFileSync): TlsConnectOptions {
  const out: TlsConnectOptions = {};
  if (t.certFile !== undefined || t.keyFile !== undefined) {
    if (t.certFile === undefined || t.keyFile === undefined) {
      throw new TransportConfigError(`provider "${name}": cert_file and key_file go together`);
    }
  }
  if (t.caFile !== undefined || t.certFile !== undefined) {
    const ca = t.caFile !== undefined ? pem(name, "ca_file", t.caFile, read) : undefined;
    const cert = t.certFile !== undefined ? pem(name, "cert_file", t.certFile, read) : undefined;
    const key = t.keyFile !== undefined ? pem(name, "key_file", t.keyFile, read) : undefined;
    try {
      const options: SecureContextOptions = {};
      if (ca) options.ca = [...rootCertificates, ...caCertificates(name, t.caFile as string, ca)];
      if (cert) options.cert = cert;
      if (key) options.key = key;
      out.secureContext = createSecureContext(options);
    } catch (err) {
      // OpenSSL's reason only (e.g. "no start line", "key values mismatch"): never the file's bytes.
      const reason = String((err as Error).message).replace(/^error:[0-9A-F]+:/, "");
      throw new TransportConfigError(`provider "${name}": its TLS files are not usable PEM (${reason})`);
    }
  }
  if (t.tlsInsecureSkipVerify === true) out.rejectUnauthorized = false;
  return out;
}

function pem(name: string, field: string, path: string, read: (path: string) => Buffer): Buffer {
  let b: Buffer;
  try {
    b = read(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? "unreadable";
    throw new TransportConfigError(`provider "${name}": ${field} ${JSON.stringify(path)} cannot be read (${code})`);
  }
  if (!b.includes("-----BEGIN ")) throw new TransportConfigError(`provider "${name}": ${field} ${JSON.stringify(path)} is not a PEM file`);
  return b;
}

/**
 * The certificates of a CA bundle, each checked: OpenSSL silently skips a block it cannot parse, and a
 * `ca_file` that trusts nothing would only show as refused connections later.
 */
function caCertificates(name: string, path: string, pemBytes: Buffer): string[] {
  const blocks = pemBytes.toString("utf8").match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) throw new TransportConfigError(`provider "${name}": ca_file ${JSON.stringify(path)} holds no certificate`);
  for (const b of blocks) {
    try {
      new X509Certificate(b);
    } catch {
      throw new TransportConfigError(`provider "${name}": ca_file ${JSON.stringify(path)} holds a certificate that cannot be read`);
    }
  }
  return blocks;
}
