import type { TableProvider } from "@ai-router/contracts";
import { type MockUpstream, startMockUpstream } from "@ai-router/testing";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { maskSecrets, type ProbeTarget, probePath, probeProvider } from "./probe.js";
import { toRuntimeProvider } from "./runtime-provider.js";

let up: MockUpstream;
beforeAll(async () => {
  up = await startMockUpstream();
});
afterAll(() => up.close());
beforeEach(() => {
  up.behavior.reset();
  up.requests.length = 0;
});

const KEY = "sk-probe-test-0123456789abcdef";

function target(type: TableProvider["type"], baseUrl: string, extra: Partial<TableProvider> = {}): ProbeTarget {
  const row: TableProvider = Object.assign(
    {
      name: `p-${type}`,
      type,
      baseUrl,
      apiKeys: [KEY],
      timeoutMs: 5_000,
      connectTimeoutMs: 1_000,
      headers: {},
      streamUsage: true,
      maxConnections: 4,
    },
    extra,
  );
  return { provider: toRuntimeProvider(row, row.apiKeys), upstreamModel: "m" };
}
const run = (t: ProbeTarget, maxTimeoutMs = 10_000) => probeProvider(t, { maxTimeoutMs, apiKey: t.provider.apiKeys[0] });

describe("probe requests: the free model-list endpoint, authenticated like live traffic", () => {
  it("openai-compatible: GET {base}/models with the Bearer key and the provider's extra headers", async () => {
    const r = await run(target("openai-compatible", up.baseUrl, { headers: { "x-org": "team-a" } }));
    expect(r).toMatchObject({ ok: true, status: 200, error: null });
    expect(r.latencyMs).toBeGreaterThan(0);
    const [req] = up.requests;
    expect(up.requests).toHaveLength(1);
    expect([req!.method, req!.path]).toEqual(["GET", "/v1/models"]);
    expect(req!.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(req!.headers["x-org"]).toBe("team-a");
    expect(req!.headers["content-type"]).toBeUndefined();
  });

  it("anthropic: GET /v1/models with x-api-key and anthropic-version, whether or not the base ends in /v1", async () => {
    expect(await run(target("anthropic", up.url))).toMatchObject({ ok: true, status: 200 });
    expect(await run(target("anthropic", `${up.url}/v1`))).toMatchObject({ ok: true, status: 200 });
    expect(up.requests.map((r) => `${r.method} ${r.path}`)).toEqual(["GET /v1/models", "GET /v1/models"]);
    for (const r of up.requests) {
      expect(r.headers["x-api-key"]).toBe(KEY);
      expect(r.headers["anthropic-version"]).toBe("2023-06-01");
      expect(r.headers.authorization).toBeUndefined();
    }
  });

  it("gemini: GET {version}/models with x-goog-api-key, never the key in the URL", async () => {
    expect(await run(target("gemini", `${up.url}/v1beta`))).toMatchObject({ ok: true, status: 200 });
    expect(await run(target("gemini", up.url))).toMatchObject({ ok: true, status: 200 });
    expect(up.requests.map((r) => r.path)).toEqual(["/v1beta/models", "/v1beta/models"]);
    expect(up.requests[0]!.headers["x-goog-api-key"]).toBe(KEY);
  });

  it("mock providers are healthy without any request", async () => {
    expect(await run(target("mock", up.baseUrl))).toEqual({ ok: true, status: null, latencyMs: 0, error: null });
    expect(up.requests).toHaveLength(0);
  });

  it("probe paths per type", () => {
    expect(probePath("volcengine", "/api/v3")).toBe("/models");
    expect(probePath("openai", "/v1")).toBe("/models");
    expect(probePath("gemini", "/v1alpha")).toBe("/models");
    expect(probePath("mock", "")).toBeUndefined();
  });
});

describe("probe failures", () => {
  it("an error status is a failure with the status and the provider's message, the key masked", async () => {
    up.behavior.next({ status: 401, message: `Incorrect API key provided: ${KEY}` });
    const r = await run(target("openai-compatible", up.baseUrl));
    expect(r.ok).toBe(false);
    expect(r.status).toBe(401);
    expect(r.error).toMatch(/^HTTP 401: Incorrect API key provided: sk-\.\.\.cdef$/);
    expect(r.error).not.toContain(KEY);
    up.behavior.next({ status: 503 });
    expect(await run(target("openai-compatible", up.baseUrl))).toMatchObject({ ok: false, status: 503 });
  });

  it("a slow provider fails at the probe timeout: the provider's own timeout, capped by the worker's", async () => {
    up.behavior.next({ delayMs: 2_000 }, 2);
    const t0 = Date.now();
    const own = await run(target("openai-compatible", up.baseUrl, { timeoutMs: 150 }));
    expect(own).toMatchObject({ ok: false, status: null, error: "timed out after 150 ms" });
    const capped = await run(target("openai-compatible", up.baseUrl, { timeoutMs: 60_000 }), 200);
    expect(capped).toMatchObject({ ok: false, error: "timed out after 200 ms" });
    expect(capped.latencyMs).toBeGreaterThanOrEqual(190);
    expect(Date.now() - t0).toBeLessThan(1_500);
  });

  it("a refused connection is a failure without a status", async () => {
    const down = await startMockUpstream();
    const base = down.baseUrl;
    await down.refuse();
    const r = await run(target("openai-compatible", base));
    expect(r).toMatchObject({ ok: false, status: null, error: "connection refused (ECONNREFUSED)" });
  });

  it("masks keys of the provider and key-shaped strings in any message", () => {
    const out = maskSecrets(`bad key ${KEY}; other sk-abcdefghijklmnopqrstu; AIzaSyA1234567890abcdefghijklmn; Bearer abcdefghijkl`, [KEY]);
    expect(out).not.toMatch(/0123456789abcdef|abcdefghijklmnopqrstu|1234567890abcdefghij|Bearer abcdefghijkl/);
    expect(out).toContain("sk-...cdef");
  });
});
