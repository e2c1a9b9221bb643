import { type ConnectProxy, makeTestCertificates, startConnectProxy, type TestCertificates } from "@ai-router/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { startTestProxy, type TestProxy } from "./harness.js";
import { type MockRealtime, PROVIDER_KEY, startMockRealtime } from "./mock-realtime.js";

// The provider's egress settings on the upstream realtime socket, as on its HTTP requests: a private CA
// (ca_file), a client certificate the upstream requires (mTLS: cert_file/key_file) and an HTTP CONNECT
// proxy (proxy_url, with credentials). The upstream is a TLS realtime mock whose certificate only the
// private CA vouches for.
const KEY = "sk-rt-egress-0123456789";
const PASSWORD = "rt-pr0xy-Passw0rd";
let certs: TestCertificates;
let egress: ConnectProxy;
let upstream: MockRealtime;
let proxy: TestProxy | undefined;

beforeAll(async () => {
  certs = makeTestCertificates();
  egress = await startConnectProxy("router", PASSWORD);
  upstream = await startMockRealtime({ tls: { key: certs.serverKey, cert: certs.serverCert, ca: certs.caPem } });
});
afterAll(async () => {
  await Promise.all([egress.close(), upstream.close()]);
});
afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
  egress.tunnels.length = 0;
  egress.refused = 0;
});

async function routerWith(provider: Record<string, unknown>): Promise<TestProxy> {
  proxy = await startTestProxy({
    providers: [Object.assign({ name: "oai", type: "openai", base_url: upstream.url, api_key: PROVIDER_KEY }, provider)],
    models: [{ name: "rt", llm_type: "realtime", providers: [{ provider: "oai", model: "gpt-realtime" }] }],
    keys: [{ name: "k", key: KEY }],
  });
  return proxy;
}

/** Opens the client socket; resolves with it, or rejects with the status of a refused upgrade. */
function open(p: TestProxy): Promise<WebSocket> {
  const ws = new WebSocket(`${p.url.replace(/^http/, "ws")}/v1/realtime?model=rt`, { headers: { authorization: `Bearer ${KEY}` } });
  return new Promise((resolve, reject) => {
    ws.once("open", () => resolve(ws));
    ws.once("unexpected-response", (_req, res) =>
      reject(Object.assign(new Error(`refused ${res.statusCode}`), { status: res.statusCode })),
    );
    ws.once("error", reject);
  });
}

/** One response over the socket: the `response.done` event the client got. */
function respond(ws: WebSocket): Promise<{ type: string; response: { usage: { total_tokens: number } } }> {
  return new Promise((resolve) => {
    ws.on("message", (d) => {
      const ev = JSON.parse(d.toString());
      if (ev.type === "response.done") resolve(ev);
    });
    ws.send(JSON.stringify({ type: "response.create" }));
  });
}

describe("realtime upstream sockets use the provider's egress settings", () => {
  it("without ca_file the private CA is not trusted: no upstream socket, 502 at the upgrade", async () => {
    const p = await routerWith({ cert_file: certs.clientCertFile, key_file: certs.clientKeyFile });
    await expect(open(p)).rejects.toMatchObject({ status: 502 });
  });

  it("ca_file and the client certificate (mTLS): the upstream sees the router's certificate", async () => {
    const p = await routerWith({ ca_file: certs.caFile, cert_file: certs.clientCertFile, key_file: certs.clientKeyFile });
    const before = upstream.clientCerts.length;
    const ws = await open(p);
    expect((await respond(ws)).response.usage.total_tokens).toBe(180);
    expect(upstream.clientCerts.slice(before)).toEqual(["ai-router"]);
    ws.close();
  });

  it("ca_file without the client certificate: the upstream that requires one refuses, 502", async () => {
    const p = await routerWith({ ca_file: certs.caFile });
    await expect(open(p)).rejects.toMatchObject({ status: 502 });
  });

  it("proxy_url: the socket goes through the CONNECT tunnel (with its credentials), TLS and mTLS inside it", async () => {
    const p = await routerWith({
      ca_file: certs.caFile,
      cert_file: certs.clientCertFile,
      key_file: certs.clientKeyFile,
      proxy_url: egress.urlWith("router", PASSWORD),
    });
    const ws = await open(p);
    expect((await respond(ws)).type).toBe("response.done");
    expect(egress.tunnels).toEqual([new URL(upstream.url).host]);
    expect(upstream.clientCerts.at(-1)).toBe("ai-router");
    ws.close();
  });

  it("a proxy that refuses the credentials: 502, and the proxy counted the refusal", async () => {
    const p = await routerWith({ ca_file: certs.caFile, proxy_url: egress.urlWith("router", "wrong") });
    await expect(open(p)).rejects.toMatchObject({ status: 502 });
    expect(egress.refused).toBe(1);
    expect(egress.tunnels).toEqual([]);
  });
});
