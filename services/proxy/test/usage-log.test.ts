import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { UsageRecord } from "@ai-router/contracts";
import { describe, expect, it } from "vitest";
import { spawnProxy } from "./harness.js";

describe("standalone usage_log", () => {
  it("appends one JSON usage record per request to the file, also for refused ones; /metrics answers the metrics token (no client key), closed without it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ai-router-usage-"));
    const log = join(dir, "usage.jsonl");
    const cfg = join(dir, "router.yaml");
    writeFileSync(
      cfg,
      `server: { usage_log: ${JSON.stringify(log)} }
providers: [{ name: local, type: mock }]
models: [{ name: demo, providers: [{ provider: local, price: { input_per_mtok: 1, output_per_mtok: 2 } }] }]
keys: [{ name: team, key: sk-team-0123456789abcdef, rpm_limit: 2 }]
`,
    );
    const p = await spawnProxy({ ROUTER_CONFIG: cfg, ROUTER_METRICS_TOKEN: "metrics-0123456789abcdef" });
    const ids: string[] = [];
    try {
      for (let i = 0; i < 3; i++) {
        const r = await fetch(`${p.url}/v1/chat/completions`, {
          method: "POST",
          headers: { authorization: "Bearer sk-team-0123456789abcdef", "content-type": "application/json" },
          body: JSON.stringify({ model: "demo", stream: i === 1, messages: [{ role: "user", content: `hello ${i}` }] }),
        });
        await r.arrayBuffer();
        ids.push(r.headers.get("x-request-id")!);
      }
      // Client keys are required here, so the metrics (every key's models and costs) need their token.
      expect((await fetch(`${p.url}/metrics`)).status).toBe(401);
      const m = await fetch(`${p.url}/metrics`, { headers: { authorization: "Bearer metrics-0123456789abcdef" } });
      expect(m.status).toBe(200);
      expect(await m.text()).toMatch(
        /^ai_router_requests_total\{model="demo",provider="local",status_class="2xx",ingress="openai-chat"\} 2$/m,
      );
    } finally {
      await p.stop();
    }
    const lines = readFileSync(log, "utf8").trim().split("\n");
    const recs = lines.map((l) => UsageRecord.parse(JSON.parse(l)));
    expect(recs.map((r) => [r.id, r.status, r.stream, r.key_name])).toEqual([
      [ids[0], 200, false, "team"],
      [ids[1], 200, true, "team"],
      [ids[2], 429, false, "team"],
    ]);
    expect(recs[0]!.cost_usd).toBeGreaterThan(0);
  });
});
