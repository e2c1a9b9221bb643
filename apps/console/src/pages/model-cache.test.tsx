// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { App } from "../app.js";
import { I18nProvider } from "../i18n/index.js";
import { fakeApi, model, provider } from "../test/fake-api.js";

const ok = (body: unknown) => () => ({ body });

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  sessionStorage.clear();
});

function renderModel(lang: "en" | "zh-CN", fields: Record<string, unknown> = {}) {
  const m = Object.assign(model(4, "agent", [{ id: 1, name: "p1" }]), fields);
  const api = fakeApi({
    "GET /v1/db/audit": ok({ entries: [] }),
    "GET /v1/db/providers": ok({ providers: [provider(1, "p1")] }),
    "GET /v1/db/models": ok({ models: [m] }),
    "PUT /v1/db/models/4": ok(m),
    "PUT /v1/db/models/4/providers/1": ok({}),
  });
  sessionStorage.setItem("ai-router.admin-token", "test-admin-token-0123456789");
  history.replaceState(null, "", "/ui/models/4");
  render(
    <I18nProvider lang={lang}>
      <App />
    </I18nProvider>,
  );
  return api;
}

const puts = (calls: { method: string; path: string; body?: unknown }[]) =>
  calls.filter((c) => c.method === "PUT" && c.path === "/v1/db/models/4");

describe("a model's response cache and prompt-cache breakpoints", () => {
  it("shows the cache as off, sends the TTL typed, null when cleared, and the breakpoints flag", async () => {
    const { calls } = renderModel("en");
    await screen.findByRole("heading", { name: "agent" });
    const ttl = screen.getByLabelText("Response cache TTL (seconds)") as HTMLInputElement;
    expect(ttl.value).toBe("");
    const breakpoints = screen.getByLabelText("Automatic prompt-cache breakpoints (Anthropic targets)") as HTMLInputElement;
    expect(breakpoints.checked).toBe(true);
    fireEvent.change(ttl, { target: { value: "300" } });
    fireEvent.click(breakpoints);
    fireEvent.click(screen.getByLabelText("Share cached answers across client keys"));
    fireEvent.click(screen.getAllByRole("button", { name: "Save" })[0]!);
    await waitFor(() => expect(puts(calls)).toHaveLength(1));
    expect(puts(calls)[0]!.body).toMatchObject({ cache_ttl_s: 300, cache_breakpoints: false, cache_shared: true });
    fireEvent.change(screen.getByLabelText("Response cache TTL (seconds)"), { target: { value: "" } });
    fireEvent.click(screen.getAllByRole("button", { name: "Save" })[0]!);
    await waitFor(() => expect(puts(calls)).toHaveLength(2));
    expect(puts(calls)[1]!.body).toMatchObject({ cache_ttl_s: null });
  });

  it("reads a model's TTL, in Chinese too", async () => {
    renderModel("zh-CN", { cache_ttl_s: 120, cache_breakpoints: false });
    await screen.findByRole("heading", { name: "agent" });
    expect((screen.getByLabelText("响应缓存有效期（秒）") as HTMLInputElement).value).toBe("120");
    expect((screen.getByLabelText("自动添加提示缓存断点（Anthropic 目标）") as HTMLInputElement).checked).toBe(false);
  });
});

describe("a link's prompt-cache write prices", () => {
  it("sends the 5-minute and 1-hour cache write prices with the link's price", async () => {
    const { calls } = renderModel("en");
    await screen.findByRole("heading", { name: "agent" });
    fireEvent.click(screen.getByRole("button", { name: "Edit" }));
    fireEvent.change(await screen.findByLabelText("Cache write price, 5 minutes (USD / M tokens)"), { target: { value: "3.75" } });
    fireEvent.change(screen.getByLabelText("Cache write price, 1 hour (USD / M tokens)"), { target: { value: "6" } });
    fireEvent.click(screen.getAllByRole("button", { name: "Save" }).at(-1)!);
    await waitFor(() => expect(calls.filter((c) => c.method === "PUT" && c.path.endsWith("/providers/1"))).toHaveLength(1));
    const body = calls.find((c) => c.method === "PUT" && c.path.endsWith("/providers/1"))!.body;
    expect(body).toMatchObject({
      price: { input_per_mtok: 1, output_per_mtok: 2, cache_write_per_mtok: 3.75, cache_write_1h_per_mtok: 6 },
    });
  });
});
