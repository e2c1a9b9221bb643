import { randomBytes } from "node:crypto";
import { compileConfig, parseConfig } from "@ai-router/config";
import { decryptSecret, encryptSecret } from "@ai-router/contracts";
import { describe, expect, it } from "vitest";
import { probeTargets } from "./probe-targets.js";

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
