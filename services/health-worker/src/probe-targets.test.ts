import { randomBytes } from "node:crypto";
import { compileConfig, parseConfig } from "@ai-router/config";
import { decryptSecret, encryptSecret } from "@ai-router/contracts";
import { probeProvider } from "@ai-router/providers";
import { makeTestCertificates, startConnectProxy, startMockUpstream } from "@ai-router/testing";
import { describe, expect, it } from "vitest";
import { closeUnusedPools, probeTargets } from "./probe-targets.js";

const key = randomBytes(32);
const p = (name: string, api_key: string | string[] = `sk-${name}-0000000000`) => ({
  name,
  type: "openai-compatible",
  base_url: `http://h/${name}/v1`,
  api_key,
});
function table() {
  const config = {
    providers: [p("a"), p("b", ["sk-b-one-00000000", "sk-b-two-00000000"]), p("shielded"), p("unused"), p("broken")],
    models: [
      {
        name: "m1",
        providers: [
          { provider: "a", model: "x" },
          { provider: "b", model: "y" },
          { provider: "broken", model: "z" },
        ],
      },
      {
        name: "m2",
        providers: [
          { provider: "a", model: "other" },
          { provider: "shielded", model: "big", health_check: false },
        ],
      },
    ],
  };
  const t = compileConfig(parseConfig(JSON.stringify(config), "t", {})).table;
  for (const prov of t.providers) prov.apiKeys = prov.apiKeys.map((k) => encryptSecret(k, key));
  // Sealed under another master key: cannot be opened here.
  t.providers.find((x) => x.name === "broken")!.apiKeys = [encryptSecret("sk-broken-secret-000", randomBytes(32))];
  return t;
}

describe("probeTargets", () => {
  it("one entry per provider with a health-checked link; shielded-only and unused providers are left out", () => {
    const { providers } = probeTargets(table(), (s) => decryptSecret(s, key));
    expect([...providers.keys()]).toEqual(["a", "b"]);
    expect(providers.get("a")!.upstreamModel).toBe("x");
    expect(providers.get("a")!.provider).toMatchObject({ origin: "http://h", basePath: "/a/v1", apiKeys: ["sk-a-0000000000"] });
  });

  it("rotates the provider's keys across probes", () => {
    const b = probeTargets(table(), (s) => decryptSecret(s, key)).providers.get("b")!;
    expect([b.nextKey(), b.nextKey(), b.nextKey()]).toEqual(["sk-b-one-00000000", "sk-b-two-00000000", "sk-b-one-00000000"]);
  });

  it("skips a provider whose keys cannot be opened, saying why without the secret", () => {
    const { skipped } = probeTargets(table(), (s) => decryptSecret(s, key));
    expect(skipped).toHaveLength(1);
    expect(skipped[0]!.provider).toBe("broken");
    expect(skipped[0]!.reason).toMatch(/wrong ROUTER_MASTER_KEY/);
    expect(JSON.stringify(skipped)).not.toContain("sk-broken");
  });
});

describe("probeTargets: probes go the way requests go", () => {
  it("through the provider's egress proxy (sealed URL) and its ca_file; an unchanged provider keeps its pool", async () => {
    const certs = makeTestCertificates();
    const up = await startMockUpstream({ tls: { key: certs.serverKey, cert: certs.serverCert } });
    const egress = await startConnectProxy("probe", "pr0be-pass");
    try {
      const cfg = {
        providers: [
          {
            name: "tls",
            type: "openai-compatible",
            base_url: up.baseUrl,
            api_key: "sk-x",
            ca_file: certs.caFile,
            proxy_url: egress.urlWith("probe", "pr0be-pass"),
          },
          { name: "untrusted", type: "openai-compatible", base_url: up.baseUrl, api_key: "sk-y" },
        ],
        models: [{ name: "m", providers: [{ provider: "tls" }, { provider: "untrusted" }] }],
      };
      const t = compileConfig(parseConfig(JSON.stringify(cfg), "t", {})).table;
      for (const prov of t.providers) if (prov.proxyUrl) prov.proxyUrl = encryptSecret(prov.proxyUrl, key);
      const first = probeTargets(t, (s) => decryptSecret(s, key), undefined, {});
      const ok = await probeProvider(first.providers.get("tls")!, { maxTimeoutMs: 5_000, apiKey: "sk-x" });
      expect(ok).toMatchObject({ ok: true, status: 200 });
      expect(egress.tunnels).toEqual([new URL(up.url).host]);
      const bad = await probeProvider(first.providers.get("untrusted")!, { maxTimeoutMs: 5_000, apiKey: "sk-y" });
      expect(bad.ok).toBe(false);
      expect(bad.error).toMatch(/^TLS: its certificate is not trusted, [A-Z_]+; trust its CA with ca_file$/);
      const again = probeTargets(t, (s) => decryptSecret(s, key), first.providers, {});
      expect(again.providers.get("tls")!.dispatcher).toBe(first.providers.get("tls")!.dispatcher);
      await closeUnusedPools(first.providers, again.providers);
      for (const p of again.providers.values()) await p.dispatcher?.close();
    } finally {
      await egress.close();
      await up.close();
    }
  });

  it("skips a provider whose ca_file is missing, naming the file", () => {
    const cfg = {
      providers: [{ name: "x", type: "openai-compatible", base_url: "https://h/v1", api_key: "sk-x", ca_file: "/nonexistent/ca.pem" }],
      models: [{ name: "m", providers: [{ provider: "x" }] }],
    };
    const t = compileConfig(parseConfig(JSON.stringify(cfg), "t", {})).table;
    const { providers, skipped } = probeTargets(t, (s) => s, undefined, {});
    expect(providers.size).toBe(0);
    expect(skipped).toEqual([{ provider: "x", reason: 'provider "x": ca_file "/nonexistent/ca.pem" cannot be read (ENOENT)' }]);
  });
});
