// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { App } from "./app.js";
import { I18nProvider, type Lang } from "./i18n/index.js";
import { apiError, clientKey, fakeApi, model, provider } from "./test/fake-api.js";

const TOKEN = "test-admin-token-0123456789";
const ok = (body: unknown) => () => ({ body });
const audit = ok({ entries: [] });

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

describe("sign-in", () => {
  it("asks for the admin token, keeps it in sessionStorage and sends it only as a Bearer header", async () => {
    const { calls } = fakeApi({
      "GET /v1/db/audit": (c) =>
        c.headers.authorization === `Bearer ${TOKEN}`
          ? { body: { entries: [] } }
          : apiError(401, "Admin API requires a token", "missing_admin_token"),
      "GET /v1/db/providers": ok({ providers: [] }),
    });
    renderAt("/providers");
    const input = await screen.findByLabelText("Admin token");
    fireEvent.change(input, { target: { value: TOKEN } });
    fireEvent.click(screen.getByRole("button", { name: "Sign in" }));
    expect(await screen.findByText("No providers yet")).toBeTruthy();
    expect(sessionStorage.getItem("ai-router.admin-token")).toBe(TOKEN);
    const providersCall = calls.find((c) => c.path === "/v1/db/providers");
    expect(providersCall?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    for (const c of calls) expect(`${c.path}?${c.query}`).not.toContain(TOKEN);
    expect(window.location.href).not.toContain(TOKEN);
  });

  it("a wrong token stays on sign-in with the reason", async () => {
    fakeApi({ "GET /v1/db/audit": () => apiError(401, "Invalid admin token.", "invalid_admin_token") });
    renderAt("/");
    fireEvent.change(await screen.findByLabelText("Admin token"), { target: { value: "wrong-token-0000000000" } });
    fireEvent.click(screen.getByRole("button", { name: "Sign in" }));
    expect(await screen.findByText(/The admin token was refused/)).toBeTruthy();
    expect(sessionStorage.getItem("ai-router.admin-token")).toBeNull();
  });

  it("a throttled sign-in (429) says to wait, in the operator's language", async () => {
    fakeApi({
      "GET /v1/db/audit": (c: { headers: Record<string, string> }) =>
        c.headers.authorization
          ? apiError(429, "Too many failed admin logins from this address; try again later.", "too_many_failed_logins")
          : apiError(401, "Admin API requires a token.", "missing_admin_token"),
    });
    renderAt("/");
    fireEvent.change(await screen.findByLabelText("Admin token"), { target: { value: "some-token-0000000000" } });
    fireEvent.click(screen.getByRole("button", { name: "Sign in" }));
    expect(await screen.findByText(/Too many wrong admin tokens from this address/)).toBeTruthy();
    expect(sessionStorage.getItem("ai-router.admin-token")).toBeNull();
  });

  it("a 401 on any later call sends the operator back to sign-in with a message", async () => {
    sessionStorage.setItem("ai-router.admin-token", TOKEN);
    let revoked = false;
    fakeApi({
      "GET /v1/db/audit": audit,
      "GET /v1/db/providers": () => (revoked ? apiError(401, "Invalid admin token.", "invalid_admin_token") : { body: { providers: [] } }),
      "GET /v1/db/models": ok({ models: [] }),
    });
    renderAt("/models");
    await screen.findByText("No models yet");
    revoked = true;
    fireEvent.click(screen.getByRole("link", { name: /Providers/ }));
    expect(await screen.findByText("Your admin token was refused or has changed: sign in again.")).toBeTruthy();
    expect(screen.getByLabelText("Admin token")).toBeTruthy();
    expect(sessionStorage.getItem("ai-router.admin-token")).toBeNull();
  });

  it("in dev mode (no token needed) it opens without asking", async () => {
    fakeApi({ "GET /v1/db/audit": audit, "GET /v1/db/providers": ok({ providers: [] }) });
    renderAt("/providers");
    expect(await screen.findByText("No providers yet")).toBeTruthy();
    expect(screen.getByText("Development mode: no token needed")).toBeTruthy();
    expect(screen.queryByLabelText("Admin token")).toBeNull();
  });
});

describe("providers", () => {
  it("creates a provider with its key and shows it", async () => {
    const list: unknown[] = [];
    const { calls } = fakeApi({
      "GET /v1/db/audit": audit,
      "GET /v1/db/providers": () => ({ body: { providers: list } }),
      "POST /v1/db/providers": (c) => {
        list.push(provider(7, (c.body as { name: string }).name));
        return { body: { message: "Provider created successfully", provider_id: 7, provider_name: "mock-up", api_keys: [] } };
      },
    });
    renderAt("/providers");
    fireEvent.click((await screen.findAllByRole("button", { name: "+ Add provider" }))[0] as HTMLElement);
    const dialog = screen.getByRole("dialog");
    fireEvent.change(within(dialog).getByLabelText("Name"), { target: { value: "mock-up" } });
    fireEvent.change(within(dialog).getByLabelText("Base URL"), { target: { value: "http://127.0.0.1:9999/v1" } });
    fireEvent.change(within(dialog).getByLabelText("API key"), { target: { value: "sk-upstream-secret" } });
    fireEvent.click(within(dialog).getByRole("button", { name: "Create" }));
    expect(await screen.findByRole("heading", { name: "mock-up" })).toBeTruthy();
    const post = calls.find((c) => c.method === "POST");
    expect(post?.body).toMatchObject({
      name: "mock-up",
      adapter: "openai-compatible",
      base_url: "http://127.0.0.1:9999/v1",
      api_key: "sk-upstream-secret",
    });
    expect(window.location.pathname).toBe("/ui/providers/7");
    expect(screen.getByText("sk-...abcd")).toBeTruthy();
  });

  it("shows the API's refusal where the delete was asked, and the validation message next to the field", async () => {
    fakeApi({
      "GET /v1/db/audit": audit,
      "GET /v1/db/providers": ok({ providers: [provider(3, "busy")] }),
      "DELETE /v1/db/providers/3": () => apiError(409, 'Provider "busy" is used by models: gpt-4o. Remove those links first.', "conflict"),
      "PUT /v1/db/providers/3": () =>
        apiError(400, "Invalid request body: base_url: must be an http(s) URL", "invalid_request", "base_url"),
    });
    renderAt("/providers/3");
    const head = (await screen.findByRole("heading", { name: "busy" })).closest("header") as HTMLElement;
    fireEvent.click(within(head).getByRole("button", { name: "Delete" }));
    fireEvent.click(within(head).getByRole("button", { name: "Yes" }));
    const alert = await screen.findByText(/is used by models: gpt-4o/);
    expect(alert.closest("[role=alert]")?.textContent).toContain("Refused: this conflicts with existing data");

    fireEvent.click(screen.getByRole("button", { name: "Edit" }));
    const dialog = screen.getByRole("dialog");
    fireEvent.change(within(dialog).getByLabelText("Base URL"), { target: { value: "ftp://nope" } });
    fireEvent.click(within(dialog).getByRole("button", { name: "Save" }));
    await waitFor(() => expect(within(dialog).getByLabelText("Base URL").getAttribute("aria-invalid")).toBe("true"));
    const field = within(dialog).getByLabelText("Base URL").closest(".field") as HTMLElement;
    expect(within(field).getByRole("alert").textContent).toContain("must be an http(s) URL");
  });

  it("moving the base URL to another host asks for the key again or an explicit confirmation", async () => {
    const { calls } = fakeApi({
      "GET /v1/db/audit": audit,
      "GET /v1/db/providers": ok({ providers: [provider(3, "moving")] }),
      "PUT /v1/db/providers/3": ok(provider(3, "moving")),
    });
    renderAt("/providers/3");
    await screen.findByRole("heading", { name: "moving" });
    fireEvent.click(screen.getByRole("button", { name: "Edit" }));
    const dialog = screen.getByRole("dialog");
    // Same host, another path: no key asked for.
    fireEvent.change(within(dialog).getByLabelText("Base URL"), { target: { value: "http://127.0.0.1:9999/v2" } });
    expect(within(dialog).queryByLabelText("API key")).toBeNull();
    fireEvent.change(within(dialog).getByLabelText("Base URL"), { target: { value: "https://other.example/v1" } });
    expect(within(dialog).getByText(/moves to another host/)).toBeTruthy();
    fireEvent.change(within(dialog).getByLabelText("API key"), { target: { value: "sk-entered-again" } });
    fireEvent.click(within(dialog).getByLabelText(/Send the stored key and headers to the new host/));
    fireEvent.click(within(dialog).getByRole("button", { name: "Save" }));
    await waitFor(() => expect(calls.some((c) => c.method === "PUT" && c.path === "/v1/db/providers/3")).toBe(true));
    const put = calls.find((c) => c.method === "PUT" && c.path === "/v1/db/providers/3")!;
    expect(put.body).toMatchObject({ base_url: "https://other.example/v1", api_key: "sk-entered-again", confirm_new_host: true });
  });

  it("test connection runs the probe and shows its result; keys can be disabled and rotated", async () => {
    const { calls } = fakeApi({
      "GET /v1/db/audit": audit,
      "GET /v1/db/providers": ok({ providers: [provider(3, "up")] }),
      "POST /v1/db/providers/3/test": ok({
        provider: "up",
        ok: false,
        status: 401,
        latency_ms: 12,
        error: "HTTP 401: Incorrect API key provided: sk-...abcd",
        request: "GET http://127.0.0.1:9999/v1/models",
        checked_at: "2026-11-29T10:00:00.000Z",
      }),
      "PUT /v1/db/providers/3/keys/1": ok({}),
      "POST /v1/db/providers/3/keys/1/rotate": ok({}),
    });
    renderAt("/providers/3");
    fireEvent.click(await screen.findByRole("button", { name: "Test connection" }));
    expect(await screen.findByText("Connection failed")).toBeTruthy();
    expect(screen.getByText(/GET http:\/\/127.0.0.1:9999\/v1\/models → HTTP 401/)).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "Disable" }));
    await waitFor(() => expect(calls.some((c) => c.method === "PUT" && c.path === "/v1/db/providers/3/keys/1")).toBe(true));
    expect(calls.find((c) => c.method === "PUT")?.body).toEqual({ is_enabled: false });
    fireEvent.click(screen.getByRole("button", { name: "Rotate" }));
    fireEvent.change(within(screen.getByRole("dialog")).getByLabelText("API key"), { target: { value: "sk-new-secret" } });
    fireEvent.click(within(screen.getByRole("dialog")).getByRole("button", { name: "Save" }));
    await waitFor(() => expect(calls.find((c) => c.path.endsWith("/rotate"))?.body).toEqual({ api_key: "sk-new-secret" }));
  });
});

describe("models", () => {
  it("shows the API's strategy validation message next to the strategy field", async () => {
    fakeApi({
      "GET /v1/db/audit": audit,
      "GET /v1/db/providers": ok({ providers: [provider(1, "p1")] }),
      "GET /v1/db/models": ok({ models: [model(4, "gpt-x", [{ id: 1, name: "p1" }])] }),
      "PUT /v1/db/models/4": () =>
        apiError(400, 'specified_provider: option "provider" must name a linked provider', "invalid_request", "strategy"),
    });
    renderAt("/models/4");
    const strategy = await screen.findByLabelText("Strategy");
    fireEvent.change(strategy, { target: { value: "specified_provider" } });
    fireEvent.click(screen.getAllByRole("button", { name: "Save" })[0] as HTMLElement);
    const field = strategy.closest(".field") as HTMLElement;
    expect((await within(field).findByRole("alert")).textContent).toContain("must name a linked provider");
    expect(screen.getByText("p1")).toBeTruthy();
    expect(screen.getByText("$1 / $2")).toBeTruthy();
  });
});

describe("client keys", () => {
  it("shows the new key exactly once with a copy button, and a spend bar against the budget", async () => {
    const keys = [clientKey(1, "team-a", { budget_usd: 10, spent_usd: 9, rpm_limit: 60 })];
    const { calls } = fakeApi({
      "GET /v1/db/audit": audit,
      "GET /v1/db/models": ok({ models: [model(4, "gpt-x")] }),
      "GET /v1/db/keys": () => ({ body: { keys } }),
      "POST /v1/db/keys": (c) => {
        keys.push(clientKey(2, (c.body as { name: string }).name));
        return { status: 201, body: { ...clientKey(2, "ci"), key: "sk-router-PLAINTEXT-ONCE" } };
      },
    });
    renderAt("/keys");
    const meter = await screen.findByRole("meter");
    expect(meter.getAttribute("aria-valuenow")).toBe("9");
    expect(meter.className).toContain("warn");
    expect(screen.getByText("60 req/min")).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "+ Create key" }));
    const dialog = screen.getByRole("dialog");
    fireEvent.change(within(dialog).getByLabelText("Name"), { target: { value: "ci" } });
    fireEvent.click(await within(dialog).findByLabelText("gpt-x"));
    fireEvent.change(within(dialog).getByLabelText("Budget (USD)"), { target: { value: "5" } });
    fireEvent.click(within(dialog).getByRole("button", { name: "Create" }));
    expect(await screen.findByText("sk-router-PLAINTEXT-ONCE")).toBeTruthy();
    expect(screen.getByRole("button", { name: "Copy" })).toBeTruthy();
    expect(calls.find((c) => c.method === "POST")?.body).toMatchObject({ name: "ci", models: ["gpt-x"], budget_usd: 5, rpm_limit: null });
    fireEvent.click(screen.getByRole("button", { name: "Done" }));
    await waitFor(() => expect(screen.queryByText("sk-router-PLAINTEXT-ONCE")).toBeNull());
    expect(screen.getAllByText("ci").length).toBeGreaterThan(0);
  });
});

describe("playground", () => {
  it("streams the answer through the proxy with the client key, and shows which provider served it", async () => {
    const sse = [
      `data: ${JSON.stringify({ choices: [{ delta: { role: "assistant", content: "" } }] })}`,
      `data: ${JSON.stringify({ choices: [{ delta: { content: "Hel" } }] })}`,
      `data: ${JSON.stringify({ choices: [{ delta: { content: "lo!" } }] })}`,
      `data: ${JSON.stringify({ choices: [], usage: { prompt_tokens: 5, completion_tokens: 2 } })}`,
      "data: [DONE]",
      "",
    ].join("\n\n");
    const { calls } = fakeApi({
      "GET /v1/db/audit": audit,
      "GET /v1/db/models": ok({ models: [model(4, "gpt-x")] }),
      "POST /v1/chat/completions": () => ({
        text: sse,
        headers: { "content-type": "text/event-stream", "x-router-provider": "p2", "x-router-model": "gpt-x-2026" },
      }),
    });
    sessionStorage.setItem("ai-router.playground-key", "sk-router-client");
    renderAt("/playground");
    await screen.findByRole("option", { name: "gpt-x" });
    fireEvent.change(screen.getByLabelText("Message"), { target: { value: "Hi" } });
    fireEvent.click(screen.getByRole("button", { name: "Send" }));
    expect(await screen.findByText("Hello!")).toBeTruthy();
    expect(screen.getByTestId("served-by").textContent).toBe("Served by p2 (gpt-x-2026)");
    expect(screen.getByText(/7 tokens/)).toBeTruthy();
    const call = calls.find((c) => c.path === "/v1/chat/completions");
    expect(call?.headers.authorization).toBe("Bearer sk-router-client");
    expect(call?.body).toMatchObject({ model: "gpt-x", stream: true, messages: [{ role: "user", content: "Hi" }] });
  });

  it("shows the proxy's refusal in the operator's language", async () => {
    fakeApi({
      "GET /v1/db/audit": audit,
      "GET /v1/db/models": ok({ models: [model(4, "gpt-x")] }),
      "POST /v1/chat/completions": () =>
        apiError(503, "The control plane does not know a proxy: set ROUTER_PROXY_URL", "proxy_not_configured"),
    });
    renderAt("/playground", "zh-CN");
    await screen.findByRole("option", { name: "gpt-x" });
    fireEvent.change(screen.getByLabelText("消息"), { target: { value: "Hi" } });
    fireEvent.click(screen.getByRole("button", { name: "发送" }));
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("没有可用于转发的代理");
    expect(alert.textContent).toContain("ROUTER_PROXY_URL");
  });
});
