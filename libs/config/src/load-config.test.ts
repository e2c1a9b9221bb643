import { describe, expect, it } from "vitest";
import { compileConfig, sha256Hex } from "./compile-config.js";
import { interpolateString } from "./interpolate.js";
import { ConfigError, parseConfig } from "./load-config.js";

const base = `
providers:
  - name: openai-main
    type: openai
    api_key: \${OPENAI_API_KEY}
  - name: demo
    type: mock
models:
  - name: gpt-4o
    providers:
      - provider: openai-main
        weight: 10
        preferred: true
        price: { input_per_mtok: 2.5, output_per_mtok: 10 }
        params: { temperature: 0.2 }
  - name: demo-chat
    providers: [{ provider: demo, model: mock-1 }]
`;

function problems(text: string, env: NodeJS.ProcessEnv = {}): string[] {
  try {
    parseConfig(text, "router.yaml", env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toContain("router.yaml");
    return (err as ConfigError).problems;
  }
  throw new Error("expected a ConfigError");
}

describe("config file", () => {
  it("interpolates ${VAR}, defaults and escapes", () => {
    expect(interpolateString("a-${X}-b", { X: "1" })).toBe("a-1-b");
    expect(interpolateString("${MISSING:-fallback}", {})).toBe("fallback");
    expect(interpolateString("${MISSING}", {})).toBe("");
    expect(interpolateString("$${X}", { X: "1" })).toBe("${X}");
    expect(() => interpolateString("${NEED:?set it}", {})).toThrow(/NEED is required: set it/);
  });

  it("applies defaults and keeps what the user wrote", () => {
    const cfg = parseConfig(base, "router.yaml", { OPENAI_API_KEY: "sk-live-123456" });
    expect(cfg.providers[0]).toMatchObject({ name: "openai-main", api_key: "sk-live-123456", timeout_ms: 60000 });
    expect(cfg.models[0]?.strategy).toBe("weighted_round_robin");
    expect(cfg.models[0]?.providers[0]).toMatchObject({ weight: 10, preferred: true, params: { temperature: 0.2 } });
    expect(cfg.server.max_body_bytes).toBe(10 * 1024 * 1024);
  });

  it("names the path and the problem for every mistake", () => {
    const bad = `
providers:
  - { name: a, type: openai, api_key: x, timeout_ms: -5 }
  - { name: a, type: nosuch }
models:
  - name: m
    providers: [{ provider: ghost, weight: "heavy" }]
`;
    const p = problems(bad);
    expect(p.some((x) => x.startsWith("providers[0].timeout_ms:"))).toBe(true);
    expect(p.some((x) => x.startsWith("providers[1].type:"))).toBe(true);
    expect(p.some((x) => x.startsWith("models[0].providers[0].weight:"))).toBe(true);
  });

  it("reports unknown providers, duplicates and unknown fields", () => {
    const p = problems(`
providers: [{ name: a, type: mock }, { name: a, type: mock }]
models: [{ name: m, providers: [{ provider: ghost }] }]
extra: 1
`);
    expect(p).toContain('providers[1].name: duplicate provider name "a"');
    expect(p).toContain('models[0].providers[0].provider: unknown provider "ghost"');
    expect(p.some((x) => x.includes("extra"))).toBe(true);
  });

  it("server.auth_required: on by default exactly when keys exist; true stays on with none; false with keys is an error", () => {
    const keys = `keys: [{ name: a, key: sk-aaaaaaaaaa }]\n`;
    const compile = (text: string) => compileConfig(parseConfig(text, "router.yaml", { OPENAI_API_KEY: "sk-x" })).table.authRequired;
    expect(compile(base)).toBe(false);
    expect(compile(base + keys)).toBe(true);
    expect(compile(`server: { auth_required: true }\n${base}`)).toBe(true);
    expect(problems(`server: { auth_required: false }\n${base}${keys}`, { OPENAI_API_KEY: "sk-x" })).toEqual([
      "server.auth_required: false, but keys are configured: remove the keys or set auth_required: true",
    ]);
  });

  it("reports YAML syntax errors and required variables", () => {
    expect(problems("providers: [\n")[0]).toBeTruthy();
    const p = problems(
      `providers: [{ name: a, type: mock, api_key: "\${K:?needed}" }]\nmodels: [{ name: m, providers: [{ provider: a }] }]`,
    );
    expect(p[0]).toMatch(/^providers\[0\]\.api_key: environment variable K is required/);
  });

  it("rejects a client key whose variable is unset rather than opening the router", () => {
    const p = problems(`${base}keys: [{ name: team, key: "\${TEAM_KEY}" }]`, { OPENAI_API_KEY: "sk-x" });
    expect(p[0]).toMatch(/^keys\[0\]\.key:/);
  });
});

describe("compileConfig", () => {
  it("disables a provider with no key and drops models it alone served", () => {
    const { table, warnings } = compileConfig(parseConfig(base, "router.yaml", {}));
    expect(table.providers.map((p) => p.name)).toEqual(["demo"]);
    expect(table.models.map((m) => m.name)).toEqual(["demo-chat"]);
    expect(warnings).toContain('provider "openai-main" disabled: no API key configured');
    expect(warnings).toContain('model "gpt-4o" not served: none of its providers is enabled');
  });

  it("compiles targets, defaults and hashed client keys", () => {
    const cfg = parseConfig(`${base}keys: [{ name: team-a, key: "\${TEAM_KEY}", models: [gpt-4o] }]`, "router.yaml", {
      OPENAI_API_KEY: "sk-a",
      TEAM_KEY: "team-secret-1",
    });
    const { table } = compileConfig(cfg, 7);
    expect(table.revision).toBe(7);
    expect(table.providers[0]).toMatchObject({ baseUrl: "https://api.openai.com/v1", apiKeys: ["sk-a"] });
    expect(table.models[0]?.targets[0]).toMatchObject({
      provider: "openai-main",
      upstreamModel: "gpt-4o",
      weight: 10,
      params: { temperature: 0.2 },
    });
    expect(table.models[1]?.targets[0]?.upstreamModel).toBe("mock-1");
    expect(table.clientKeys).toEqual([{ name: "team-a", sha256: sha256Hex("team-secret-1"), models: ["gpt-4o"] }]);
    expect(JSON.stringify(table)).not.toContain("team-secret-1");
  });

  it("ships a default router.yaml that starts with no environment", async () => {
    const { loadConfigFile } = await import("./load-config.js");
    const { table } = compileConfig(loadConfigFile(new URL("../../../router.yaml", import.meta.url).pathname, {}));
    expect(table.models.map((m) => m.name)).toContain("demo-chat");
  });
});
