import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type MockUpstream, startMockUpstream } from "@ai-router/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ProxyProcess, spawnProxy } from "./harness.js";

const repoConfig = fileURLToPath(new URL("../../../router.yaml", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "ai-router-"));
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

describe("the proxy process", () => {
  let up: MockUpstream;
  beforeAll(async () => {
    up = await startMockUpstream();
  });
  afterAll(() => up.close());

  it("starts from the repo's router.yaml with no API key and answers the demo model", async () => {
    const p = await spawnProxy({ ROUTER_CONFIG: repoConfig, OPENAI_API_KEY: "", ARK_API_KEY: "" });
    try {
      const r = await fetch(`${p.url}/v1/chat/completions`, {
        method: "POST",
        body: JSON.stringify({ model: "demo-chat", messages: [{ role: "user", content: "hello router" }] }),
      });
      expect(r.status).toBe(200);
      expect((await r.json()).choices[0].message.content).toContain("hello router");
      expect((await (await fetch(`${p.url}/v1/models`)).json()).data.map((m: { id: string }) => m.id)).toEqual(["demo-chat"]);
    } finally {
      await p.stop();
    }
  });

  it("refuses to start on a bad config, naming the file, the path and the problem", async () => {
    const bad = file("bad.yaml", "providers: [{ name: a, type: mock }]\nmodels: [{ name: m, providers: [{ provider: b }] }]\n");
    const err = await spawnProxy({ ROUTER_CONFIG: bad }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toContain("exited with 2");
    expect((err as Error).message).toContain(bad);
    expect((err as Error).message).toContain('models[0].providers[0].provider: unknown provider "b"');
    const strategy = file(
      "strategy.yaml",
      "providers: [{ name: a, type: mock }]\nmodels: [{ name: m, strategy: nosuch, providers: [{ provider: a }] }]\n",
    );
    const err2 = await spawnProxy({ ROUTER_CONFIG: strategy }).catch((e: Error) => e);
    expect((err2 as Error).message).toContain('models[0]: model "m": unknown strategy "nosuch"');
  });

  it("never writes provider or client keys to its logs", async () => {
    const cfg = file(
      "keys.yaml",
      `providers: [{ name: up, type: openai-compatible, base_url: "${up.baseUrl}", api_key: "\${UP_KEY}" }]
models: [{ name: m, providers: [{ provider: up }] }]
keys: [{ name: team, key: "\${TEAM_KEY}" }]
`,
    );
    const p = await spawnProxy({ ROUTER_CONFIG: cfg, UP_KEY: "sk-provider-SECRET-1", TEAM_KEY: "sk-client-SECRET-2", LOG_LEVEL: "debug" });
    try {
      const ok = await fetch(`${p.url}/v1/chat/completions`, {
        method: "POST",
        headers: { authorization: "Bearer sk-client-SECRET-2" },
        body: JSON.stringify({ model: "m", messages: [{ role: "user", content: "x" }] }),
      });
      expect(ok.status).toBe(200);
      const bad = await fetch(`${p.url}/v1/models`, { headers: { authorization: "Bearer sk-guess-SECRET-3" } });
      expect(bad.status).toBe(401);
      expect(await bad.text()).not.toContain("sk-guess-SECRET-3");
    } finally {
      await p.stop();
    }
    expect(p.output()).toContain('"status":200');
    expect(p.output()).not.toMatch(/SECRET-[123]/);
  });

  it("drains an in-flight stream on SIGTERM and refuses new connections", async () => {
    const cfg = file(
      "drain.yaml",
      `providers: [{ name: up, type: openai-compatible, base_url: "${up.baseUrl}" }]\nmodels: [{ name: m, providers: [{ provider: up }] }]\n`,
    );
    const p: ProxyProcess = await spawnProxy({ ROUTER_CONFIG: cfg });
    up.behavior.next({ chunkDelayMs: 40 });
    const r = await fetch(`${p.url}/v1/chat/completions`, {
      method: "POST",
      body: JSON.stringify({ model: "m", stream: true, messages: [{ role: "user", content: "a reply long enough to take a while" }] }),
    });
    expect(r.status).toBe(200);
    const exited = p.stop("SIGTERM");
    const text = await r.text();
    expect(text.trimEnd().endsWith("data: [DONE]")).toBe(true);
    const content = text
      .split("\n\n")
      .filter((e) => e.startsWith("data: {"))
      .map((e) => JSON.parse(e.slice(6)).choices[0]?.delta?.content ?? "")
      .join("");
    expect(content).toBe("Echo: a reply long enough to take a while");
    expect(await exited).toBe(0);
    await expect(fetch(`${p.url}/health`)).rejects.toThrow();
  });
});
