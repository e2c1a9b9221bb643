import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A private CA and certificates it signed, as PEM files in a temporary folder (tests and the bench). */
export interface TestCertificates {
  dir: string;
  /** The CA's certificate (what `ca_file` points at). */
  caFile: string;
  /** The server's key and certificate (for `127.0.0.1` and `localhost`), signed by the CA. */
  serverKey: Buffer;
  serverCert: Buffer;
  /** A client certificate signed by the CA (mTLS), and its key. */
  clientCertFile: string;
  clientKeyFile: string;
  /** The CA's certificate as PEM (a server that asks for client certificates trusts it). */
  caPem: Buffer;
}

/**
 * Makes a private CA, a server certificate and a client certificate with the machine's `openssl`
 * (P-256 keys: fast), valid for two days. Nothing is downloaded; each call has its own folder.
 */
export function makeTestCertificates(dir = mkdtempSync(join(tmpdir(), "ai-router-tls-"))): TestCertificates {
  const f = (n: string) => join(dir, n);
  const ssl = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
  const key = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  ssl("req", "-x509", ...key, "-keyout", f("ca.key"), "-out", f("ca.pem"), "-days", "2", "-subj", "/CN=AI Router Test CA");
  const sign = (name: string, subject: string, ext: string) => {
    ssl("req", ...key, "-keyout", f(`${name}.key`), "-out", f(`${name}.csr`), "-subj", subject);
    writeFileSync(f(`${name}.ext`), ext);
    ssl(
      "x509",
      "-req",
      "-in",
      f(`${name}.csr`),
      "-CA",
      f("ca.pem"),
      "-CAkey",
      f("ca.key"),
      "-CAcreateserial",
      "-out",
      f(`${name}.pem`),
      "-days",
      "2",
      "-extfile",
      f(`${name}.ext`),
    );
  };
  sign("server", "/CN=localhost", "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n");
  sign("client", "/CN=ai-router", "extendedKeyUsage=clientAuth\n");
  return {
    dir,
    caFile: f("ca.pem"),
    caPem: readFileSync(f("ca.pem")),
    serverKey: readFileSync(f("server.key")),
    serverCert: readFileSync(f("server.pem")),
    clientCertFile: f("client.pem"),
    clientKeyFile: f("client.key"),
  };
}
