// @vitest-environment happy-dom
import { cleanup, render, screen, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { App } from "../app.js";
import { I18nProvider } from "../i18n/index.js";
import { clientKey, fakeApi, provider } from "../test/fake-api.js";

const ok = (body: unknown) => () => ({ body });
const figures = {
  requests: 20,
  errors: 0,
  prompt_tokens: 40_000,
  completion_tokens: 2000,
  cached_tokens: 34_000,
  cost_usd: 0.052,
  cache_creation_tokens: 1200,
  cache_hit_ratio: 0.85,
  cache_saved_usd: 0.0918,
  response_cache_hits: 321,
  latency_p50_ms: 300,
  latency_p95_ms: 800,
  ttft_p50_ms: 120,
};

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  sessionStorage.clear();
});

describe("overview: prompt caching per model and key", () => {
  it("shows the cache hit ratio and the money caching saved in the per-model and per-key tables", async () => {
    fakeApi({
      "GET /v1/db/audit": ok({ entries: [] }),
      "GET /v1/db/providers": ok({ providers: [provider(1, "p1")] }),
      "GET /v1/db/models": ok({ models: [] }),
      "GET /v1/db/keys": ok({ keys: [clientKey(1, "agents")] }),
      "GET /v1/db/health": ok({ revision: 1, nats: "connected", probes: [], targets: [] }),
      "GET /v1/db/usage/summary": (c: { query: URLSearchParams }) => {
        const g = c.query.get("group_by");
        const key = g === "hour" ? "2026-11-29T10:00:00.000Z" : g === "model" ? "claude-agent" : g === "provider" ? "p1" : "1";
        return { body: { group_by: g, rows: [{ key, ...figures }], totals: figures } };
      },
    });
    sessionStorage.setItem("ai-router.admin-token", "test-admin-token-0123456789");
    history.replaceState(null, "", "/ui/");
    render(
      <I18nProvider lang="en">
        <App />
      </I18nProvider>,
    );
    const row = (await screen.findByText("claude-agent")).closest("tr") as HTMLElement;
    expect(within(row).getByText("85%")).toBeTruthy();
    expect(within(row).getByText("$0.09")).toBeTruthy();
    expect(within(row).getByText("321")).toBeTruthy();
    const keyRow = (await screen.findByText("agents")).closest("tr") as HTMLElement;
    expect(within(keyRow).getByText("85%")).toBeTruthy();
    expect(screen.getAllByRole("columnheader", { name: "Saved by caching" }).length).toBeGreaterThanOrEqual(2);
    expect(screen.getAllByRole("columnheader", { name: "Response cache hits" }).length).toBeGreaterThanOrEqual(2);
  });
});
