import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type ConnectProxy,
  type MockUpstream,
  makeTestCertificates,
  startConnectProxy,
  startMockUpstream,
  startSocks5Proxy,
  type TestCertificates,
} from "@ai-router/testing";
import OpenAI from "openai";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { openAIConfig, spawnProxy, startTestProxy, type TestProxy } from "./harness.js";

// Egress proxies: a provider's own proxy_url, and HTTP(S)_PROXY / NO_PROXY for the others. The CONNECT
// proxy is started by the test; it counts the tunnels it opened and refuses a wrong password.
const PASSWORD = "pr0xy-s3cret-Passw0rd";
let certs: TestCertificates;
let egress: ConnectProxy;
let ups: MockUpstream[] = [];
let proxy: TestProxy | undefined;

beforeAll(async () => {
  certs = makeTestCertificates();
  egress = await startConnectProxy("router", PASSWORD);
});
afterAll(() => egress.close());
afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
  for (const u of ups) await u.close();
  ups = [];
  egress.tunnels.length = 0;
  egress.refused = 0;
});

const up = async (listen: Parameters<typeof startMockUpstream>[0] = {}) => {
  const u = await startMockUpstream(listen);
  ups.push(u);
  return u;
};
const sdk = (p: { url: string }) => new OpenAI({ baseURL: `${p.url}/v1`, apiKey: "unused", maxRetries: 0 });
const hostOf = (u: MockUpstream) => new URL(u.url).host;

async function jsonAndStream(client: OpenAI, model = "gpt-4o"): Promise<string> {
  const r = await client.chat.completions.create({ model, messages: [{ role: "user", content: "hi" }] });
  expect(r.choices[0]?.message.content).toBe("Echo: hi");
  const s = await client.chat.completions.create({ model, messages: [{ role: "user", content: "via proxy" }], stream: true });
  let text = "";
  for await (const c of s) text += c.choices[0]?.delta.content ?? "";
  return text;
}

/** A port with nothing listening on it (a dead proxy). */
async function deadPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const { port } = s.address() as { port: number };
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe("a provider's own proxy_url (HTTP CONNECT)", () => {
  it("tunnels HTTPS through the proxy with its password: JSON and streams on one tunnel", async () => {
    const u = await up({ tls: { key: certs.serverKey, cert: certs.serverCert } });
    proxy = await startTestProxy(
      openAIConfig([u.baseUrl], { provider: { proxy_url: egress.urlWith("router", PASSWORD), ca_file: certs.caFile } }),
    );
    expect(await jsonAndStream(sdk(proxy))).toBe("Echo: via proxy");
    expect(egress.tunnels).toEqual([hostOf(u)]); // one tunnel, kept alive for both requests
    expect(u.requests).toHaveLength(2);
  });

  it("negotiates HTTP/2 by ALPN inside the tunnel", async () => {
    const u = await up({ tls: { key: certs.serverKey, cert: certs.serverCert }, http2: true });
    proxy = await startTestProxy(
      openAIConfig([u.baseUrl], { provider: { proxy_url: egress.urlWith("router", PASSWORD), ca_file: certs.caFile } }),
    );
    const client = sdk(proxy);
    expect(await jsonAndStream(client)).toBe("Echo: via proxy"); // the pool learns the server speaks h2
    await Promise.all(Array.from({ length: 10 }, () => jsonAndStream(client)));
    expect(u.requests).toHaveLength(22);
    expect(u.requests.every((r) => r.httpVersion === "2.0")).toBe(true);
    expect(egress.tunnels).toEqual([hostOf(u)]); // 20 more streams multiplexed on the one tunnel
  });

  it("a wrong password: 502 saying the proxy refused (407), never the password", async () => {
    const u = await up();
    proxy = await startTestProxy(openAIConfig([u.baseUrl], { provider: { proxy_url: egress.urlWith("router", "wrong-password") } }));
    const res = await fetch(`${proxy.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "gpt-4o", messages: [{ role: "user", content: "hi" }] }),
    });
    const text = await res.text();
    expect(res.status).toBe(502);
    expect(JSON.parse(text).error.message).toBe("Provider up0 could not be reached (the egress proxy refused the tunnel: HTTP 407).");
    expect(text).not.toContain("wrong-password");
    expect(egress.refused).toBeGreaterThanOrEqual(1);
    expect(egress.tunnels).toEqual([]);
    expect(u.requests).toHaveLength(0);
  });

  it("a dead proxy counts against its target: requests fail over to the next one", async () => {
    const a = await up();
    const b = await up();
    const cfg = openAIConfig([a.baseUrl, b.baseUrl]);
    (cfg.providers[0] as Record<string, unknown>).proxy_url = `http://router:${PASSWORD}@127.0.0.1:${await deadPort()}`;
    proxy = await startTestProxy(cfg);
    const client = sdk(proxy);
    for (let i = 0; i < 4; i++) {
      const { response } = await client.chat.completions
        .create({ model: "gpt-4o", messages: [{ role: "user", content: "hi" }] })
        .withResponse();
      expect(response.headers.get("x-router-provider")).toBe("up1");
    }
    expect(await jsonAndStream(client)).toBe("Echo: via proxy");
    expect(a.requests).toHaveLength(0);
    const target = proxy.store.current?.models.get("gpt-4o")?.targets[0];
    expect(target?.id).toBe("up0/gpt-4o");
    expect(target?.health.available(Date.now())).toBe(false); // its breaker opened
  });
});

describe("a provider's own proxy_url (SOCKS5, undici's agent)", () => {
  it("tunnels HTTPS through SOCKS5 with user and password; a wrong password is a 502 naming the refusal", async () => {
    const socks = await startSocks5Proxy("router", PASSWORD);
    try {
      const u = await up({ tls: { key: certs.serverKey, cert: certs.serverCert } });
      proxy = await startTestProxy(
        openAIConfig([u.baseUrl], { provider: { proxy_url: socks.urlWith("router", PASSWORD), ca_file: certs.caFile } }),
      );
      expect(await jsonAndStream(sdk(proxy))).toBe("Echo: via proxy");
      expect(socks.tunnels).toEqual([hostOf(u)]);
      await proxy.close();
      proxy = await startTestProxy(
        openAIConfig([u.baseUrl], { provider: { proxy_url: socks.urlWith("router", "wrong"), ca_file: certs.caFile } }),
      );
      const err = await sdk(proxy)
        .chat.completions.create({ model: "gpt-4o", messages: [{ role: "user", content: "hi" }] })
        .catch((e: unknown) => e as InstanceType<typeof OpenAI.APIError>);
      expect(err.status).toBe(502);
      expect(err.message).toContain("the SOCKS5 proxy refused: UND_ERR_SOCKS5_AUTH_FAILED");
      expect(socks.refused).toBe(1);
    } finally {
      await socks.close();
    }
  });
});

describe("HTTP_PROXY / HTTPS_PROXY / NO_PROXY (a real proxy process)", () => {
  it("sends providers through the environment's proxy except hosts NO_PROXY names, and never logs its password", async () => {
    const viaProxy = await up();
    const direct = await up();
    const dir = mkdtempSync(join(tmpdir(), "ai-router-egress-"));
    const cfg = join(dir, "router.yaml");
    // `direct` is reached as localhost (in NO_PROXY), `viaProxy` as 127.0.0.1 (not in it).
    writeFileSync(
      cfg,
      [
        "providers:",
        `  - { name: proxied, type: openai-compatible, base_url: "${viaProxy.baseUrl}", api_key: sk-a }`,
        `  - { name: local, type: openai-compatible, base_url: "http://localhost:${direct.port}/v1", api_key: sk-b }`,
        `  - { name: refused, type: openai-compatible, base_url: "${viaProxy.baseUrl}", api_key: sk-c, proxy_url: "http://router:own-${PASSWORD}@127.0.0.1:${new URL(egress.url).port}" }`,
        "models:",
        "  - { name: a, providers: [{ provider: proxied }] }",
        "  - { name: b, providers: [{ provider: local }] }",
        "  - { name: c, providers: [{ provider: refused }] }",
        "",
      ].join("\n"),
    );
    const p = await spawnProxy({
      ROUTER_CONFIG: cfg,
      HTTP_PROXY: egress.urlWith("router", PASSWORD),
      HTTPS_PROXY: "",
      NO_PROXY: "localhost,.internal",
      LOG_LEVEL: "debug",
    });
    try {
      const client = sdk(p);
      expect(await jsonAndStream(client, "a")).toBe("Echo: via proxy");
      expect(await jsonAndStream(client, "b")).toBe("Echo: via proxy");
      expect(egress.tunnels).toEqual([hostOf(viaProxy)]);
      expect(direct.requests).toHaveLength(2);
      // A provider's own proxy_url wins over the environment's (here with a password the proxy refuses).
      const err = await client.chat.completions
        .create({ model: "c", messages: [{ role: "user", content: "hi" }] })
        .catch((e: unknown) => e);
      expect((err as InstanceType<typeof OpenAI.APIError>).status).toBe(502);
      expect(egress.refused).toBe(1);
    } finally {
      await p.stop();
    }
    expect(p.output()).not.toContain(PASSWORD);
  });
});
