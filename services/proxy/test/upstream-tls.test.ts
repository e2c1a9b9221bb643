import { type MockUpstream, makeTestCertificates, startMockUpstream, type TestCertificates, waitFor } from "@ai-router/testing";
import OpenAI from "openai";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { openAIConfig, startTestProxy, type TestProxy } from "./harness.js";

// Upstreams over TLS with a private CA, with client certificates, and over HTTP/2 (ALPN h2), all through
// the router with the official openai SDK, JSON and streams.
let certs: TestCertificates;
let up: MockUpstream | undefined;
let proxy: TestProxy | undefined;

beforeAll(() => {
  certs = makeTestCertificates();
});
afterEach(async () => {
  await proxy?.close();
  await up?.close();
  proxy = undefined;
  up = undefined;
});

const sdk = (p: TestProxy) => new OpenAI({ baseURL: `${p.url}/v1`, apiKey: "unused", maxRetries: 0 });

/** One JSON answer and one stream through the router; returns the streamed text. */
async function jsonAndStream(client: OpenAI): Promise<string> {
  const r = await client.chat.completions.create({ model: "gpt-4o", messages: [{ role: "user", content: "hi" }] });
  expect(r.choices[0]?.message.content).toBe("Echo: hi");
  const s = await client.chat.completions.create({ model: "gpt-4o", messages: [{ role: "user", content: "over tls" }], stream: true });
  let text = "";
  for await (const c of s) text += c.choices[0]?.delta.content ?? "";
  return text;
}

async function start(listen: Parameters<typeof startMockUpstream>[0], provider: Record<string, unknown>) {
  up = await startMockUpstream(listen);
  proxy = await startTestProxy(openAIConfig([up.baseUrl], { provider }));
  return { up, proxy };
}

describe("an HTTPS upstream with a private CA", () => {
  it("is trusted through ca_file: JSON and streams, over one reused connection", async () => {
    const { up, proxy } = await start({ tls: { key: certs.serverKey, cert: certs.serverCert } }, { ca_file: certs.caFile, http2: "off" });
    expect(await jsonAndStream(sdk(proxy))).toBe("Echo: over tls");
    expect(up.requests.map((r) => r.httpVersion)).toEqual(["1.1", "1.1"]);
    expect(up.openConnections).toBe(1); // keep-alive: the second request paid no handshake
  });

  it("is refused without ca_file, with an error that says why (502 upstream_unreachable)", async () => {
    const { up, proxy } = await start({ tls: { key: certs.serverKey, cert: certs.serverCert } }, {});
    const err = await sdk(proxy)
      .chat.completions.create({ model: "gpt-4o", messages: [{ role: "user", content: "hi" }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.APIError);
    const e = err as InstanceType<typeof OpenAI.APIError>;
    expect(e.status).toBe(502);
    expect(e.code).toBe("upstream_unreachable");
    expect(e.message).toMatch(/certificate is not trusted, [A-Z_]+; trust its CA with ca_file/);
    expect(up.requests).toHaveLength(0);
  });

  it("with tls_insecure_skip_verify (test setups): served, and the table carries a warning", async () => {
    const { proxy } = await start({ tls: { key: certs.serverKey, cert: certs.serverCert } }, { tls_insecure_skip_verify: true });
    expect(await jsonAndStream(sdk(proxy))).toBe("Echo: over tls");
    expect(proxy.store.current?.warnings).toEqual([
      'provider "up0": tls_insecure_skip_verify is on: its certificate is not checked (for test setups only)',
    ]);
  });

  it("a missing ca_file refuses the table with the file named", async () => {
    up = await startMockUpstream({ tls: { key: certs.serverKey, cert: certs.serverCert } });
    await expect(startTestProxy(openAIConfig([up.baseUrl], { provider: { ca_file: `${certs.dir}/nope.pem` } }))).rejects.toThrow(
      `provider "up0": ca_file "${certs.dir}/nope.pem" cannot be read (ENOENT)`,
    );
  });
});

describe("an upstream that requires a client certificate (mTLS)", () => {
  const listen = () => ({ tls: { key: certs.serverKey, cert: certs.serverCert, clientCa: certs.caPem } });

  it("is served with cert_file and key_file", async () => {
    const { proxy } = await start(listen(), { ca_file: certs.caFile, cert_file: certs.clientCertFile, key_file: certs.clientKeyFile });
    expect(await jsonAndStream(sdk(proxy))).toBe("Echo: over tls");
  });

  it("refuses the router without them (502)", async () => {
    const { proxy } = await start(listen(), { ca_file: certs.caFile });
    const res = await fetch(`${proxy.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "gpt-4o", messages: [{ role: "user", content: "hi" }] }),
    });
    expect(res.status).toBe(502);
  });
});

describe("an HTTP/2 upstream (ALPN h2)", () => {
  const h2Only = () => ({ tls: { key: certs.serverKey, cert: certs.serverCert }, http2: true, http2Only: true });

  it("auto negotiates h2: JSON and streams, and 40 concurrent streams share one connection", async () => {
    const { up, proxy } = await start(h2Only(), { ca_file: certs.caFile });
    const client = sdk(proxy);
    expect(await jsonAndStream(client)).toBe("Echo: over tls");
    up.behavior.fallback = { chunkDelayMs: 20 };
    const texts = await Promise.all(
      Array.from({ length: 40 }, async (_, i) => {
        const s = await client.chat.completions.create({ model: "gpt-4o", messages: [{ role: "user", content: `n${i}` }], stream: true });
        let t = "";
        for await (const c of s) t += c.choices[0]?.delta.content ?? "";
        return t;
      }),
    );
    expect(texts).toEqual(Array.from({ length: 40 }, (_, i) => `Echo: n${i}`));
    expect(up.requests.every((r) => r.httpVersion === "2.0")).toBe(true);
    expect(up.openConnections).toBe(1);
    // The gate now counts streams, not connections: max_connections x 100.
    expect(proxy.store.current?.providers.get("up0")?.gate?.limit).toBe(1024 * 100);
  });

  it("resets the stream when the client goes away, and the connection serves the next request", async () => {
    const { up, proxy } = await start(h2Only(), { ca_file: certs.caFile, http2: "on" });
    up.behavior.next({ chunkDelayMs: 200 });
    const ac = new AbortController();
    const s = await sdk(proxy).chat.completions.create(
      { model: "gpt-4o", messages: [{ role: "user", content: "a long answer please" }], stream: true },
      { signal: ac.signal },
    );
    for await (const _ of s) {
      ac.abort(); // after the first chunk
      break;
    }
    await waitFor(() => up.cutByClient === 1 && up.open === 0);
    expect(await jsonAndStream(sdk(proxy))).toBe("Echo: over tls");
    expect(up.openConnections).toBe(1);
  });

  it("http2: on against a server that offers only HTTP/1.1 fails clearly; off against an h2-only server cannot connect", async () => {
    const h1 = await start({ tls: { key: certs.serverKey, cert: certs.serverCert } }, { ca_file: certs.caFile, http2: "on" });
    const err = await sdk(h1.proxy)
      .chat.completions.create({ model: "gpt-4o", messages: [{ role: "user", content: "hi" }] })
      .catch((e: unknown) => e as InstanceType<typeof OpenAI.APIError>);
    expect(err.status).toBe(502);
    expect(err.message).toContain("could not be reached (the server did not agree to HTTP/2 (http2: on); use http2: auto)");
    expect(h1.up.requests).toHaveLength(0);
    await h1.proxy.close();
    await h1.up.close();
    const off = await start(h2Only(), { ca_file: certs.caFile, http2: "off" });
    const e2 = await sdk(off.proxy)
      .chat.completions.create({ model: "gpt-4o", messages: [{ role: "user", content: "hi" }] })
      .catch((e: unknown) => e as InstanceType<typeof OpenAI.APIError>);
    expect(e2.status).toBe(502);
    expect(off.up.requests).toHaveLength(0);
  });

  it("falls back to HTTP/1.1 where the server offers only that (auto)", async () => {
    const { up, proxy } = await start({ tls: { key: certs.serverKey, cert: certs.serverCert } }, { ca_file: certs.caFile });
    expect(await jsonAndStream(sdk(proxy))).toBe("Echo: over tls");
    expect(up.requests.map((r) => r.httpVersion)).toEqual(["1.1", "1.1"]);
    expect(proxy.store.current?.providers.get("up0")?.gate?.limit).toBe(1024);
  });

  it("speaks h2c (prior knowledge) to a plain-http upstream with http2: on", async () => {
    const { up, proxy } = await start({ http2: true }, { http2: "on" });
    expect(await jsonAndStream(sdk(proxy))).toBe("Echo: over tls");
    expect(up.requests.map((r) => r.httpVersion)).toEqual(["2.0", "2.0"]);
  });
});
