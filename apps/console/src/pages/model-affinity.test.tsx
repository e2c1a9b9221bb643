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

describe("a model's session affinity", () => {
  it("shows the default, sends the chosen mode, and sends null to go back to the default", async () => {
    const m = model(4, "agent", [
      { id: 1, name: "p1" },
      { id: 2, name: "p2" },
    ]);
    const { calls } = fakeApi({
      "GET /v1/db/audit": ok({ entries: [] }),
      "GET /v1/db/providers": ok({ providers: [provider(1, "p1"), provider(2, "p2")] }),
      "GET /v1/db/models": ok({ models: [m] }),
      "PUT /v1/db/models/4": ok(m),
    });
    sessionStorage.setItem("ai-router.admin-token", "test-admin-token-0123456789");
    history.replaceState(null, "", "/ui/models/4");
    render(
      <I18nProvider lang="en">
        <App />
      </I18nProvider>,
    );
    await screen.findByRole("heading", { name: "agent" });
    const select = screen.getByLabelText("Session affinity") as HTMLSelectElement;
    expect(select.value).toBe("");
    expect(select.selectedOptions[0]?.textContent).toContain("Default");
    fireEvent.change(select, { target: { value: "off" } });
    fireEvent.click(screen.getAllByRole("button", { name: "Save" })[0]!);
    await waitFor(() => expect(calls.filter((c) => c.method === "PUT")).toHaveLength(1));
    expect(calls.find((c) => c.method === "PUT")!.body).toMatchObject({ affinity: "off" });
    fireEvent.change(screen.getByLabelText("Session affinity"), { target: { value: "" } });
    fireEvent.click(screen.getAllByRole("button", { name: "Save" })[0]!);
    await waitFor(() => expect(calls.filter((c) => c.method === "PUT")).toHaveLength(2));
    expect(calls.filter((c) => c.method === "PUT")[1]!.body).toMatchObject({ affinity: null });
  });
});
