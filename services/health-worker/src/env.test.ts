import { describe, expect, it } from "vitest";
import { parseEnv } from "./env.js";

const KEY = "ab".repeat(32);

describe("health worker environment", () => {
  it("has defaults for everything but the master key", () => {
    const r = parseEnv({ ROUTER_MASTER_KEY: KEY });
    expect(r.ok && r.env).toMatchObject({
      REDIS_URL: "redis://127.0.0.1:6379",
      NATS_URL: "nats://127.0.0.1:4222",
      bucket: "ai-router-routing",
      HEALTH_PROBE_INTERVAL_MS: 30_000,
      HEALTH_CONCURRENCY: 8,
      HEALTH_PROBE_TIMEOUT_MS: 10_000,
      HEALTH_WORKER_PORT: 8082,
      LOG_LEVEL: "info",
    });
  });
  it("refuses a missing or malformed master key without echoing it, a bad bucket, and a nonsense interval", () => {
    expect(parseEnv({}).ok).toBe(false);
    const bad = parseEnv({ ROUTER_MASTER_KEY: "not-a-key-but-secret", ROUTER_NATS_BUCKET: "a.b", HEALTH_PROBE_INTERVAL_MS: "5" });
    expect(bad.ok).toBe(false);
    const problems = bad.ok ? "" : bad.problems.join("\n");
    expect(problems).toMatch(/ROUTER_MASTER_KEY: ROUTER_MASTER_KEY must be 32 bytes/);
    expect(problems).toMatch(/ROUTER_NATS_BUCKET/);
    expect(problems).toMatch(/HEALTH_PROBE_INTERVAL_MS/);
    expect(problems).not.toContain("not-a-key-but-secret");
  });
  it("rejects unsigned usage batches unless LEDGER_ACCEPT_UNSIGNED_UNTIL names a time (a rolling upgrade)", () => {
    const r = parseEnv({ ROUTER_MASTER_KEY: KEY });
    expect(r.ok && r.env.LEDGER_ACCEPT_UNSIGNED_UNTIL).toBeUndefined();
    const until = parseEnv({ ROUTER_MASTER_KEY: KEY, LEDGER_ACCEPT_UNSIGNED_UNTIL: "2026-12-08T00:00:00Z" });
    expect(until.ok && until.env.LEDGER_ACCEPT_UNSIGNED_UNTIL).toBe("2026-12-08T00:00:00Z");
    const bad = parseEnv({ ROUTER_MASTER_KEY: KEY, LEDGER_ACCEPT_UNSIGNED_UNTIL: "true" });
    expect(bad.ok ? "" : bad.problems.join("\n")).toMatch(/LEDGER_ACCEPT_UNSIGNED_UNTIL/);
  });
});
