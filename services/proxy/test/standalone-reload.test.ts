import { mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { waitFor } from "@ai-router/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ProxyProcess, spawnProxy } from "./harness.js";

const TOKEN = "standalone-admin-token-0123";
const config = (models: string[], adminToken = true) => `
server:
  ${adminToken ? `admin_token: ${TOKEN}` : "access_log: true"}
providers:
  - { name: demo, type: mock }
models:
${models.map((m) => `  - { name: ${m}, providers: [{ provider: demo }] }`).join("\n")}
`;

describe("standalone router.yaml reload and admin endpoints (process)", () => {
  let dir: string;
  let file: string;
  let p: ProxyProcess;
  const names = async () => ((await (await fetch(`${p.url}/v1/models`)).json()) as { data: { id: string }[] }).data.map((m) => m.id);
  // Editors save by writing a new file and renaming it over the old one.
  const save = (text: string) => {
    writeFileSync(`${file}.tmp`, text);
    renameSync(`${file}.tmp`, file);
  };
  const post = (path: string, token?: string) =>
    fetch(`${p.url}${path}`, { method: "POST", headers: token ? { authorization: `Bearer ${token}` } : {} });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "reload-"));
    file = join(dir, "router.yaml");
    writeFileSync(file, config(["a"]));
    p = await spawnProxy({ ROUTER_CONFIG: file });
  });
  afterAll(async () => {
    await p?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("picks up a changed file without a restart", async () => {
    expect(await names()).toEqual(["a"]);
    save(config(["a", "b"]));
    await waitFor(async () => (await names()).includes("b"), 5000, 50);
    // The log line is written asynchronously: it may follow the swap by a moment.
    await waitFor(() => /"reason":"file changed"[^\n]*config reloaded/.test(p.output()), 5000, 50);
  });

  it("keeps the last good table when the file is broken, and says why", async () => {
    save(config(["a", "b"]).replace("type: mock", "type: nonsense"));
    await waitFor(() => p.output().includes("config not reloaded"), 5000, 50);
    expect(p.output()).toContain("providers[0].type");
    expect(await names()).toEqual(["a", "b"]);
    const chat = await fetch(`${p.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "b", messages: [{ role: "user", content: "hi" }] }),
    });
    expect(chat.status).toBe(200);
  });

  it("POST /v1/stats/refresh reloads behind server.admin_token; a bad file is a 400 naming the problem", async () => {
    expect((await post("/v1/stats/refresh")).status).toBe(401);
    const wrong = await post("/v1/stats/refresh", "not-the-admin-token-000");
    expect(wrong.status).toBe(401);
    expect(((await wrong.json()) as { error: { code: string } }).error.code).toBe("invalid_admin_token");
    const bad = await post("/v1/stats/refresh", TOKEN);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toContain("providers[0].type");
    save(config(["a", "b", "c"]));
    await waitFor(async () => (await names()).includes("c"), 5000, 50);
    const ok = await post("/v1/stats/refresh", TOKEN);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ message: "Configuration reloaded", models_count: 3 });
    const cleared = await post("/v1/models/clear-cache", TOKEN);
    expect(cleared.status).toBe(200);
    expect(await cleared.json()).toMatchObject({ message: "Model cache cleared" });
  });

  it("POST /v1/stats/reset zeroes the counters", async () => {
    const stats = async () =>
      ((await (await fetch(`${p.url}/v1/stats`)).json()) as { stats: { request_counters: Record<string, number> } }).stats;
    expect((await stats()).request_counters.b).toBeGreaterThan(0);
    expect((await post("/v1/stats/reset")).status).toBe(401);
    const r = await post("/v1/stats/reset", TOKEN);
    expect(r.status).toBe(200);
    expect((await stats()).request_counters).toEqual({});
  });

  it("answers 403 on admin endpoints when no admin_token is configured", async () => {
    save(config(["a"], false));
    await waitFor(async () => (await names()).length === 1, 5000, 50);
    const r = await post("/v1/stats/refresh", TOKEN);
    expect(r.status).toBe(403);
    expect(((await r.json()) as { error: { code: string } }).error.code).toBe("admin_disabled");
  });
});
