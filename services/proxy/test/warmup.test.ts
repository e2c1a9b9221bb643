import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { spawnProxy } from "./harness.js";

const KEY = "sk-team-0123456789abcdef";
const METRICS_TOKEN = "metrics-token-0123456789";

function config() {
  const dir = mkdtempSync(join(tmpdir(), "ai-router-warmup-"));
  const log = join(dir, "usage.jsonl");
  const cfg = join(dir, "router.yaml");
  writeFileSync(
    cfg,
    `server: { usage_log: ${JSON.stringify(log)} }
providers: [{ name: local, type: mock }]
models: [{ name: demo, providers: [{ provider: local, price: { input_per_mtok: 1, output_per_mtok: 2 } }] }]
keys: [{ name: team, key: ${KEY}, rpm_limit: 1 }]
`,
  );
  return { cfg, log };
}

const chat = (url: string) =>
  fetch(`${url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json" },
    body: JSON.stringify({ model: "demo", messages: [{ role: "user", content: "hello" }] }),
  });

describe("the proxy process warms its request path before it listens", () => {
  it("serves warm-up requests before /health answers, and none of them is recorded, logged, counted or limited", async () => {
    const { cfg, log } = config();
    const p = await spawnProxy({ ROUTER_CONFIG: cfg, ROUTER_WARMUP_MS: "400", ROUTER_METRICS_TOKEN: METRICS_TOKEN });
    try {
      const out = p.output();
      const warmed = /"requests":(\d+),"failed":(\d+),"ms":(\d+),"msg":"request path warmed up"/.exec(out);
      expect(warmed).not.toBeNull();
      expect(Number(warmed![1])).toBeGreaterThan(0);
      expect(Number(warmed![2])).toBe(0);
      // Bounded: the budget plus the requests in flight and the private proxy's shutdown.
      expect(Number(warmed![3])).toBeLessThan(1_500);
      expect(out.indexOf("request path warmed up")).toBeLessThan(out.indexOf("listening"));
      expect((await fetch(`${p.url}/health`)).status).toBe(200);
      // Nothing of the warm-up reached the real proxy's sinks: no access-log line, no record, no counter...
      expect(out).not.toContain('"msg":"request"');
      expect(existsSync(log) ? readFileSync(log, "utf8") : "").toBe("");
      const scrape = await fetch(`${p.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
      expect(scrape.status).toBe(200);
      const metrics = await scrape.text();
      expect(metrics).toMatch(/^# TYPE (ai_router_)?requests_total counter$/m);
      expect(metrics).not.toMatch(/^(ai_router_)?(requests_total|upstream_attempts_total|tokens_total)\{/m);
      const stats = (await (await fetch(`${p.url}/v1/stats`, { headers: { authorization: `Bearer ${KEY}` } })).json()) as {
        stats: { total_requests?: number };
      };
      expect(JSON.stringify(stats)).not.toContain("warm");
      // ...and no limit count: a key allowed one request a minute gets it.
      expect((await chat(p.url)).status).toBe(200);
      expect((await chat(p.url)).status).toBe(429);
    } finally {
      await p.stop();
    }
    expect(readFileSync(log, "utf8").trim().split("\n")).toHaveLength(2);
  });

  it("skips the warm-up with ROUTER_WARMUP=0", async () => {
    const { cfg } = config();
    const p = await spawnProxy({ ROUTER_CONFIG: cfg, ROUTER_WARMUP: "0" });
    try {
      expect(p.output()).not.toContain("warmed up");
      expect((await chat(p.url)).status).toBe(200);
    } finally {
      await p.stop();
    }
  });
});
