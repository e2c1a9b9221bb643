import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ProxyProcess, spawnProxy } from "./harness.js";

// The proxy process with ROUTER_METRICS_LEGACY_NAMES=1: the ai_router_ series and, for one minor
// version, the same values under the old unprefixed names.
describe("ROUTER_METRICS_LEGACY_NAMES (process)", () => {
  let dir: string;
  let p: ProxyProcess;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "metric-names-"));
    const file = join(dir, "router.yaml");
    writeFileSync(file, "providers:\n  - { name: demo, type: mock }\nmodels:\n  - { name: demo-chat, providers: [{ provider: demo }] }\n");
    p = await spawnProxy({ ROUTER_CONFIG: file, ROUTER_METRICS_LEGACY_NAMES: "1" });
  });
  afterAll(async () => {
    await p?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("exports each old series under both names, the runtime series only under the new prefix", async () => {
    const body = JSON.stringify({ model: "demo-chat", messages: [{ role: "user", content: "hi" }] });
    const r = await fetch(`${p.url}/v1/chat/completions`, { method: "POST", headers: { "content-type": "application/json" }, body });
    expect(r.status).toBe(200);
    await r.arrayBuffer();
    const text = await (await fetch(`${p.url}/metrics`)).text();
    const series = 'requests_total{model="demo-chat",provider="demo",status_class="2xx",ingress="openai-chat"} 1';
    expect(text).toContain(`\nai_router_${series}\n`);
    expect(text).toContain(`\n${series}\n`);
    expect(text).toContain(
      "# HELP requests_total Requests answered, by model, provider, status class and ingress API (deprecated name: use ai_router_requests_total)",
    );
    expect(text).toMatch(/^ai_router_process_resident_memory_bytes \d+/m);
    expect(text).not.toMatch(/^process_resident_memory_bytes/m);
  });
});
