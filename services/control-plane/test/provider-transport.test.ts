import {
  type ConnectProxy,
  type MockUpstream,
  makeTestCertificates,
  startConnectProxy,
  startMockUpstream,
  type TestCertificates,
} from "@ai-router/testing";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPrisma, type PrismaClient } from "../src/db/client.js";
import { readPublishedTable, startTestCluster, type TestCluster, waitFor } from "./helpers.js";

/**
 * A provider's transport set through the admin API reaches the proxies: an HTTPS upstream with a
 * private CA (ca_file), reached through an egress proxy whose URL holds a password. The password is
 * stored and published sealed, shown masked, and never logged; "test connection" goes the same way.
 */
const PASSWORD = "eGress-pa55word-42";
let certs: TestCertificates;
let up: MockUpstream;
let egress: ConnectProxy;
let cluster: TestCluster;
let prisma: PrismaClient;
let providerId = 0;

beforeAll(async () => {
  certs = makeTestCertificates();
  up = await startMockUpstream({ tls: { key: certs.serverKey, cert: certs.serverCert } });
  egress = await startConnectProxy("router", PASSWORD);
  cluster = await startTestCluster("cp_transport", 1);
  prisma = createPrisma(cluster.databaseUrl);
}, 60_000);
afterAll(async () => {
  await prisma?.$disconnect();
  await cluster?.stop();
  await egress?.close();
  await up?.close();
});

describe("provider transport through the admin API", () => {
  it("stores the proxy URL sealed, shows it masked, and the proxies reach the upstream through it (JSON and streams)", async () => {
    const created = await cluster.admin("POST", "/v1/db/providers", {
      name: "private-tls",
      adapter: "openai-compatible",
      base_url: up.baseUrl,
      api_key: "sk-private-0001",
      proxy_url: egress.urlWith("router", PASSWORD),
      ca_file: certs.caFile,
      http2: "auto",
    });
    expect(created.status).toBe(200);
    providerId = created.body.provider_id as number;
    const shown = await cluster.admin("GET", `/v1/db/providers/${providerId}`);
    expect(shown.body).toMatchObject({
      proxy_url: `http://***@${new URL(egress.url).host}`,
      ca_file: certs.caFile,
      cert_file: null,
      key_file: null,
      tls_insecure_skip_verify: false,
      http2: "auto",
    });
    const row = await prisma.provider.findUniqueOrThrow({ where: { id: providerId } });
    expect(row.proxyUrl).toMatch(/^enc:v1:/);
    await cluster.admin("POST", "/v1/db/models", { name: "m", provider_id: providerId, upstream_model: "gpt-4o" });
    const [proxy] = cluster.proxies;
    const client = new OpenAI({ baseURL: `${proxy!.url}/v1`, apiKey: "unused", maxRetries: 0 });
    await waitFor(async () => (await fetch(`${proxy!.url}/v1/models`).then((r) => r.json())).data.length === 1);
    const r = await client.chat.completions.create({ model: "m", messages: [{ role: "user", content: "hi" }] });
    expect(r.choices[0]?.message.content).toBe("Echo: hi");
    const s = await client.chat.completions.create({ model: "m", messages: [{ role: "user", content: "streamed" }], stream: true });
    let text = "";
    for await (const c of s) text += c.choices[0]?.delta.content ?? "";
    expect(text).toBe("Echo: streamed");
    expect(egress.tunnels).toContain(new URL(up.url).host);
    const table = await readPublishedTable<{ providers: { proxyUrl?: string; caFile?: string }[] }>(cluster.bucket);
    expect(table.providers[0]?.proxyUrl).toMatch(/^enc:v1:/);
    expect(table.providers[0]?.caFile).toBe(certs.caFile);
    expect(JSON.stringify(table)).not.toContain(PASSWORD);
  });

  it("test connection goes through the same proxy and TLS settings", async () => {
    const before = egress.tunnels.length;
    const t = await cluster.admin("POST", `/v1/db/providers/${providerId}/test`);
    expect(t.body).toMatchObject({ ok: true, status: 200 });
    expect(egress.tunnels.length).toBe(before + 1);
  });

  it("refuses a proxy scheme it cannot use and a certificate without its key (400), never echoing the URL", async () => {
    const bad = await cluster.admin("PUT", `/v1/db/providers/${providerId}`, { proxy_url: `ftp://u:${PASSWORD}@host:21` });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain("must start with http://, https:// or socks5://");
    expect(JSON.stringify(bad.body)).not.toContain(PASSWORD);
    const half = await cluster.admin("PUT", `/v1/db/providers/${providerId}`, { cert_file: certs.clientCertFile });
    expect(half.status).toBe(400);
    expect(JSON.stringify(half.body)).toContain("cert_file and key_file together");
  });

  it("a wrong proxy password: the proxy answers 502 naming the refusal; nothing logs the password", async () => {
    const upd = await cluster.admin("PUT", `/v1/db/providers/${providerId}`, { proxy_url: egress.urlWith("router", "not-the-password") });
    expect(upd.status).toBe(200);
    const [proxy] = cluster.proxies;
    const res = await waitFor(async () => {
      const r = await fetch(`${proxy!.url}/v1/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ model: "m", messages: [{ role: "user", content: "hi" }] }),
      });
      return r.status === 502 ? r.json() : undefined;
    });
    expect((res as { error: { message: string } }).error.message).toContain("the egress proxy refused the tunnel: HTTP 407");
    for (const p of [cluster.cp, ...cluster.proxies]) {
      expect(p.output()).not.toContain(PASSWORD);
      expect(p.output()).not.toContain("not-the-password");
    }
  });
});
