// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { App } from "../app.js";
import { I18nProvider } from "../i18n/index.js";
import { fakeApi, provider } from "../test/fake-api.js";

const ok = (body: unknown) => () => ({ body });
const audit = ok({ entries: [] });

function renderAt(path: string) {
  sessionStorage.setItem("ai-router.admin-token", "test-admin-token-0123456789");
  history.replaceState(null, "", `/ui${path}`);
  return render(
    <I18nProvider lang="en">
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

describe("provider connection settings", () => {
  it("connection settings: the stored proxy URL is shown masked, kept unless replaced or removed; only changed fields are sent", async () => {
    const stored = provider(4, "egress", { proxy_url: "http://***@proxy.corp:3128", ca_file: "/etc/ca.pem", http2: "auto" });
    const { calls } = fakeApi({
      "GET /v1/db/audit": audit,
      "GET /v1/db/providers": ok({ providers: [stored] }),
      "PUT /v1/db/providers/4": ok(stored),
    });
    renderAt("/providers/4");
    await screen.findByRole("heading", { name: "egress" });
    expect(screen.getByText("http://***@proxy.corp:3128")).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "Edit" }));
    const dialog = screen.getByRole("dialog");
    const proxy = within(dialog).getByLabelText("Egress proxy") as HTMLInputElement;
    expect(proxy.value).toBe(""); // never the stored URL: it may hold a password
    expect(proxy.placeholder).toBe("http://***@proxy.corp:3128");
    fireEvent.change(within(dialog).getByLabelText("HTTP/2"), { target: { value: "on" } });
    fireEvent.click(within(dialog).getByRole("button", { name: "Save" }));
    await waitFor(() => expect(calls.some((c) => c.method === "PUT")).toBe(true));
    const put = calls.find((c) => c.method === "PUT")!.body as Record<string, unknown>;
    expect(put.http2).toBe("on");
    expect(put).not.toHaveProperty("proxy_url");
    expect(put).not.toHaveProperty("ca_file");

    fireEvent.click(await screen.findByRole("button", { name: "Edit" }));
    const again = screen.getByRole("dialog");
    fireEvent.click(within(again).getByLabelText(/Remove the egress proxy/));
    fireEvent.change(within(again).getByLabelText("CA file"), { target: { value: "" } });
    fireEvent.click(within(again).getByRole("button", { name: "Save" }));
    await waitFor(() => expect(calls.filter((c) => c.method === "PUT")).toHaveLength(2));
    expect(calls.filter((c) => c.method === "PUT")[1]!.body).toMatchObject({ proxy_url: null, ca_file: null });
  });
});
