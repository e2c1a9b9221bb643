import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { type MockUpstream, makeTestCertificates, startMockUpstream, type TestCertificates } from "@ai-router/testing";
import { type Dispatcher, request } from "undici";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { createUpstreamTransport, type TransportProvider, transportKey } from "./upstream-dispatcher.js";

let certs: TestCertificates;
let up: MockUpstream | undefined;
let pool: Dispatcher | undefined;
beforeAll(() => {
  certs = makeTestCertificates();
});
afterEach(async () => {
  await pool?.close();
  await up?.close();
  pool = undefined;
  up = undefined;
});

const provider = (origin: string, over: Partial<TransportProvider> = {}): TransportProvider => ({
  name: "p",
  origin,
  maxConnections: 1024,
  connectTimeoutMs: 5_000,
  caFile: certs.caFile,
  ...over,
});

/** `n` streamed chat completions at once through the transport (undici's request, idempotent as the router sends them). */
async function burst(d: Dispatcher, origin: string, n: number, idempotent: boolean): Promise<number[]> {
  return Promise.all(
    Array.from({ length: n }, async () => {
      const r = await request(`${origin}/v1/chat/completions`, {
        dispatcher: d,
        method: "POST",
        idempotent,
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ model: "m", stream: true, messages: [{ role: "user", content: "x" }] }),
      });
      await r.body.text();
      return r.statusCode;
    }),
  );
}

describe("createUpstreamTransport", () => {
  it("a cold burst on an HTTP/2 origin (auto) waits for the first handshake and shares one connection", async () => {
    up = await startMockUpstream({ tls: { key: certs.serverKey, cert: certs.serverCert }, http2: true });
    up.behavior.fallback = { chunkDelayMs: 10 };
    let told = 0;
    const t = createUpstreamTransport(provider(up.url), { onHttp2: () => told++ });
    pool = t.dispatcher;
    expect([t.mayUseHttp2, t.http2Only]).toEqual([true, false]);
    expect(await burst(pool, up.url, 60, true)).toEqual(Array(60).fill(200));
    expect(up.openConnections).toBe(1);
    expect(up.requests.every((r) => r.httpVersion === "2.0")).toBe(true);
    expect(told).toBe(1);
  });

  it("over 100 streams, HTTP/2 opens a second connection (100 streams each)", async () => {
    up = await startMockUpstream({ tls: { key: certs.serverKey, cert: certs.serverCert }, http2: true });
    up.behavior.fallback = { chunkDelayMs: 20 };
    pool = createUpstreamTransport(provider(up.url, { http2: "on" })).dispatcher;
    expect(await burst(pool, up.url, 150, true)).toEqual(Array(150).fill(200));
    expect(up.openConnections).toBe(2);
  });

  it("a cold burst on an HTTP/1.1-only origin (auto) gets a connection per request, never pipelined", async () => {
    up = await startMockUpstream({ tls: { key: certs.serverKey, cert: certs.serverCert } });
    up.behavior.fallback = { chunkDelayMs: 10 };
    pool = createUpstreamTransport(provider(up.url)).dispatcher;
    expect(await burst(pool, up.url, 20, true)).toEqual(Array(20).fill(200));
    expect(up.openConnections).toBe(20);
    expect(up.requests.every((r) => r.httpVersion === "1.1")).toBe(true);
  });

  it("refuses settings it cannot use, in words an operator can act on", () => {
    expect(() => createUpstreamTransport(provider("https://h", { http2: "on", proxyUrl: "socks5://127.0.0.1:1080" }))).toThrow(
      'provider "p": http2: on is not available through a socks5 proxy (use auto or off)',
    );
    expect(() => createUpstreamTransport(provider("https://h", { caFile: certs.dir }))).toThrow(/ca_file ".*" cannot be read \(EISDIR\)/);
    const broken = join(certs.dir, "broken.pem");
    writeFileSync(broken, "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n");
    expect(() => createUpstreamTransport(provider("https://h", { caFile: broken }))).toThrow(
      `provider "p": ca_file "${broken}" holds a certificate that cannot be read`,
    );
    expect(() => createUpstreamTransport(provider("https://h", { caFile: join(certs.dir, "server.key") }))).toThrow(/holds no certificate/);
    const badKey = { certFile: certs.clientCertFile, keyFile: join(certs.dir, "server.key") };
    expect(() => createUpstreamTransport(provider("https://h", badKey))).toThrow(
      /its TLS files are not usable PEM \(.*key values mismatch/,
    );
    expect(() => createUpstreamTransport(provider("https://h", { certFile: certs.clientCertFile }))).toThrow(
      "cert_file and key_file go together",
    );
  });

  it("keys pools by what they are built from, the environment's proxy included", () => {
    const p = provider("https://api.example.com");
    expect(transportKey(p, {})).toBe(transportKey(p, {}));
    expect(transportKey(p, { HTTPS_PROXY: "http://a:1" })).not.toBe(transportKey(p, {}));
    expect(transportKey(p, { HTTPS_PROXY: "http://a:1", NO_PROXY: "example.com" })).toBe(transportKey(p, {}));
    expect(transportKey({ ...p, http2: "off" }, {})).not.toBe(transportKey(p, {}));
  });
});
