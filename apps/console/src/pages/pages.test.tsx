// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { App } from "../app.js";
import { en } from "../i18n/en.js";
import { I18nProvider, type Lang } from "../i18n/index.js";
import { zh } from "../i18n/zh.js";
import { clientKey, fakeApi, model, provider } from "../test/fake-api.js";

const ok = (body: unknown) => () => ({ body });
const record = {
  id: "req-abc-123",
  client_request_id: "client-order-77",
  time: "2026-11-29T10:00:00.000Z",
  replica: "proxy-1",
  ingress: "openai-chat",
  endpoint: "chat.completions",
  model: "gpt-x",
  provider: "p2",
  upstream_model: "gpt-x-2026",
  key_id: "1",
  key_name: "team-a",
  stream: true,
  status: 200,
  error_code: null,
  attempts: [
    { provider: "p1", upstream_model: "gpt-x", outcome: "retry", status: 503, error_code: "upstream_error", latency_ms: 40 },
    { provider: "p2", upstream_model: "gpt-x-2026", outcome: "served", status: 200, error_code: null, latency_ms: 300 },
  ],
  prompt_tokens: 12,
  completion_tokens: 30,
  cached_tokens: 0,
  reasoning_tokens: 0,
  usage_estimated: false,
  cost_usd: 0.00042,
  latency_ms: 345,
  ttft_ms: 120,
  tokens_per_s: 88.5,
  request_bytes: 100,
  response_bytes: 900,
};
const figures = {
  requests: 3,
  errors: 1,
  prompt_tokens: 36,
  completion_tokens: 90,
  cached_tokens: 0,
  cost_usd: 0.00126,
  latency_p50_ms: 300,
  latency_p95_ms: 800,
  ttft_p50_ms: 120,
};
const health = {
  revision: 42,
  nats: "connected",
  probes: [
    {
      provider: "p1",
      ok: false,
      status: 503,
      latency_ms: 20,
      checked_at: "2026-11-29T10:00:00.000Z",
      consecutive_failures: 3,
      error: "HTTP 503: overloaded",
    },
  ],
  replicas: [
    {
      replica: "proxy-1",
      at: "2026-11-29T10:00:00.000Z",
      revision: 42,
      targets: [
        {
          model: "gpt-x",
          provider: "p1",
          upstream_model: "gpt-x",
          breaker: "open",
          available: false,
          in_flight: 0,
          requests: 5,
          failures: 5,
          consecutive_failures: 5,
          success_rate: 0,
          latency_ms: 40,
          ttft_ms: null,
          tokens_per_s: null,
          probe_down: true,
          probe_latency_ms: 20,
          last_probe_at: null,
        },
        {
          model: "gpt-x",
          provider: "p2",
          upstream_model: "gpt-x-2026",
          breaker: "closed",
          available: true,
          in_flight: 1,
          requests: 9,
          failures: 0,
          consecutive_failures: 0,
          success_rate: 1,
          latency_ms: 310.5,
          ttft_ms: 118,
          tokens_per_s: 88.5,
          probe_down: false,
          probe_latency_ms: null,
          last_probe_at: null,
        },
      ],
    },
  ],
};

function routes() {
  return {
    "GET /v1/db/audit": ok({
      entries: [
        {
          id: 9,
          at: "2026-11-29T10:00:00.000Z",
          actor: "admin",
          action: "create",
          entity: "provider",
          entity_id: "3",
          details: { name: "p1", keys: ["sk-...abcd"] },
        },
      ],
    }),
    "GET /v1/db/providers": ok({ providers: [provider(1, "p1"), provider(2, "p2")] }),
    "GET /v1/db/models": ok({
      models: [
        model(4, "gpt-x", [
          { id: 1, name: "p1" },
          { id: 2, name: "p2" },
        ]),
      ],
    }),
    "GET /v1/db/keys": ok({ keys: [clientKey(1, "team-a", { budget_usd: 10, spent_usd: 2 })] }),
    "GET /v1/db/health": ok(health),
    "GET /v1/db/usage": (c: { headers: Record<string, string> }) =>
      c.headers.accept === "text/csv" ? { text: "id,model\nreq-abc-123,gpt-x\n" } : { body: { data: [record], next_cursor: "c2" } },
    "GET /v1/db/usage/summary": (c: { query: URLSearchParams }) => {
      const g = c.query.get("group_by");
      const key = g === "hour" ? "2026-11-29T10:00:00.000Z" : g === "model" ? "gpt-x" : g === "provider" ? "p2" : "1";
      return { body: { group_by: g, rows: [{ key, ...figures }], totals: figures } };
    },
  };
}

function renderAt(path: string, lang: Lang = "en") {
  history.replaceState(null, "", `/ui${path}`);
  return render(
    <I18nProvider lang={lang}>
      <App />
    </I18nProvider>,
  );
}

beforeEach(() => {
  sessionStorage.clear();
  localStorage.clear();
});
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

/** English UI strings (those that differ in Chinese and hold an English word) found in the page. */
function englishLeft(root: HTMLElement): string[] {
  const text = root.textContent ?? "";
  return Object.entries(en)
    .filter(([k, v]) => v !== zh[k as keyof typeof en] && /[a-z]{3,}/i.test(v))
    .map(([, v]) => v.split(/\{\w+\}/)[0]?.trim() ?? "")
    .filter((v) => v.length >= 4 && text.includes(v));
}

describe("pages", () => {
  it("usage lists requests with filters and paging, opens a row's failover chain, exports CSV", async () => {
    const { calls } = fakeApi(routes());
    const createObjectURL = vi.fn(() => "blob:x");
    vi.stubGlobal("URL", Object.assign(URL, { createObjectURL, revokeObjectURL: vi.fn() }));
    // happy-dom would navigate to the blob URL (a browser downloads it): record the click instead.
    const clicked = vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(() => {});
    renderAt("/usage");
    const row = (await screen.findByText("team-a", { selector: "td" })).closest("tr") as HTMLElement;
    expect(within(row).getByText("2 attempts", { exact: false })).toBeTruthy();
    fireEvent.click(row);
    const dialog = screen.getByRole("dialog");
    expect(within(dialog).getByText("req-abc-123")).toBeTruthy();
    expect(within(dialog).getByText("client-order-77")).toBeTruthy();
    expect(within(dialog).getByText("failed, retried")).toBeTruthy();
    expect(within(dialog).getByText("served")).toBeTruthy();
    fireEvent.click(within(dialog).getByRole("button", { name: "Close" }));

    fireEvent.change(screen.getByLabelText("Status"), { target: { value: "error" } });
    fireEvent.change(screen.getByLabelText("Model"), { target: { value: "gpt-x" } });
    fireEvent.change(screen.getByLabelText("Client's request id"), { target: { value: " client-order-77 " } });
    fireEvent.click(screen.getByRole("button", { name: "Apply" }));
    await waitFor(() =>
      expect(
        calls.some(
          (c) =>
            c.path === "/v1/db/usage" &&
            c.query.get("status") === "error" &&
            c.query.get("model") === "gpt-x" &&
            c.query.get("client_request_id") === "client-order-77",
        ),
      ).toBe(true),
    );
    fireEvent.click(await screen.findByRole("button", { name: "Older →" }));
    await waitFor(() => expect(calls.some((c) => c.query.get("cursor") === "c2")).toBe(true));

    fireEvent.click(screen.getByRole("button", { name: /Export CSV/ }));
    await waitFor(() => expect(createObjectURL).toHaveBeenCalled());
    expect((clicked.mock.contexts[0] as HTMLAnchorElement).download).toMatch(/^usage-.*\.csv$/);
    clicked.mockRestore();
    expect(calls.some((c) => c.headers.accept === "text/csv")).toBe(true);
  });

  it("overview shows totals, revision, groups and provider health", async () => {
    fakeApi(routes());
    renderAt("/");
    await waitFor(() => expect(screen.getByTestId("total-requests").textContent).toBe("3"));
    expect(screen.getByTestId("total-tokens").textContent).toBe("126");
    expect(screen.getByTestId("revision").textContent).toBe("42");
    expect(screen.getAllByText("team-a").length).toBeGreaterThan(0); // key id 1 shown by name
    expect(screen.getByText("Probe failing")).toBeTruthy();
    expect(screen.getByText("1 of 1 targets up")).toBeTruthy();
  });

  it("overview says what is missing when the usage ledger is not there", async () => {
    fakeApi({ ...routes(), "GET /v1/db/usage/summary": () => undefined });
    renderAt("/");
    expect(await screen.findByText("The usage ledger is not available on this control plane")).toBeTruthy();
  });

  it("health shows probes, breakers and moving averages per target", async () => {
    fakeApi(routes());
    renderAt("/health");
    expect(await screen.findByText("HTTP 503: overloaded")).toBeTruthy();
    expect(screen.getByText("Probe failing")).toBeTruthy();
    expect(screen.getByText("Closed")).toBeTruthy();
    expect(screen.getByText("311 ms")).toBeTruthy();
    expect(screen.getByText("88.5")).toBeTruthy();
  });

  it("audit log lists who changed what, details expandable", async () => {
    fakeApi(routes());
    renderAt("/audit");
    const row = (await screen.findByText("admin")).closest("tr") as HTMLElement;
    expect(within(row).getByText("Provider")).toBeTruthy();
    fireEvent.click(row);
    expect(row.querySelector("pre")?.textContent).toContain("sk-...abcd");
  });

  it.each([
    ["/", "概览"],
    ["/providers", "服务商"],
    ["/providers/1", "p1"],
    ["/models/4", "gpt-x"],
    ["/keys", "客户端密钥"],
    ["/usage", "用量"],
    ["/health", "健康状态"],
    ["/audit", "审计日志"],
    ["/playground", "调试台"],
  ])("zh-CN page %s shows no English UI strings", async (path, title) => {
    fakeApi(routes());
    const { container } = renderAt(path, "zh-CN");
    await screen.findByRole("heading", { level: 1, name: title });
    await waitFor(() => expect(container.querySelector("main")?.textContent).not.toContain("加载中"));
    await waitFor(() => expect(container.querySelectorAll("main table, main .empty, main form").length).toBeGreaterThan(0));
    expect(englishLeft(container)).toEqual([]);
    expect(document.documentElement.lang).toBe("zh-CN");
  });

  it("the language follows the browser and the toggle switches it", async () => {
    fakeApi(routes());
    vi.spyOn(navigator, "languages", "get").mockReturnValue(["zh-CN", "en"]);
    history.replaceState(null, "", "/ui/providers");
    render(
      <I18nProvider>
        <App />
      </I18nProvider>,
    );
    expect(await screen.findByRole("heading", { name: "服务商" })).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "切换语言" }));
    expect(await screen.findByRole("heading", { name: "Providers" })).toBeTruthy();
    expect(localStorage.getItem("ai-router.lang")).toBe("en");
  });
});
