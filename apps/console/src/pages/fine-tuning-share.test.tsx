// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { App } from "../app.js";
import { I18nProvider } from "../i18n/index.js";
import { apiError, fakeApi } from "../test/fake-api.js";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  sessionStorage.clear();
});

const MODEL = "ft:gpt-4o-mini:acme::abc123";
const PATH = `/v1/admin/fine_tuning/models/${encodeURIComponent(MODEL)}/shared_with`;
const job = (shared: string[]) => ({
  object: "fine_tuning.job",
  id: "ftjob-1",
  model: "mini",
  status: "succeeded",
  fine_tuned_model: MODEL,
  trained_tokens: 1234,
  created_at: 1,
  owner: "team-a",
  shared_with_names: shared,
});

function renderPage(lang: "en" | "zh-CN", put: Parameters<typeof fakeApi>[0][string]) {
  let shared: string[] = [];
  const api = fakeApi({
    "GET /v1/db/audit": () => ({ body: { entries: [] } }),
    "GET /v1/admin/fine_tuning/jobs": () => ({ body: { object: "list", data: [job(shared)], has_more: false } }),
    [`PUT ${PATH}`]: (call) => {
      const out = put(call);
      if (out?.status === undefined) shared = (call.body as { keys: string[] }).keys;
      return out;
    },
  });
  sessionStorage.setItem("ai-router.admin-token", "test-admin-token-0123456789");
  history.replaceState(null, "", "/ui/fine-tuning");
  render(
    <I18nProvider lang={lang}>
      <App />
    </I18nProvider>,
  );
  return api;
}

describe("sharing a fine-tuned model from the fine-tuning page", () => {
  it("sends the key names typed, then lists whom it is shared with", async () => {
    const { calls } = renderPage("en", () => ({ body: { model: MODEL, shared_with: ["team-b", "team-c"] } }));
    const row = (await screen.findByText("ftjob-1")).closest("tr") as HTMLElement;
    fireEvent.click(within(row).getByRole("button", { name: "Share" }));
    const dialog = await screen.findByRole("dialog", { name: `Share ${MODEL}` });
    fireEvent.change(within(dialog).getByLabelText("Client keys"), { target: { value: " team-b, team-c ,team-b" } });
    fireEvent.click(within(dialog).getByRole("button", { name: "Save sharing" }));
    await waitFor(() => expect(calls.filter((c) => c.method === "PUT")).toHaveLength(1));
    expect(calls.find((c) => c.method === "PUT")?.body).toEqual({ keys: ["team-b", "team-c"] });
    expect(await screen.findByText("Shared with team-b, team-c")).toBeTruthy();
    expect(screen.queryByRole("dialog")).toBeNull();
  });

  it("shows the API's error at the field (an unknown key), in Chinese", async () => {
    renderPage("zh-CN", () => apiError(400, "Unknown client keys: nobody.", "invalid_request", "keys"));
    const row = (await screen.findByText("ftjob-1")).closest("tr") as HTMLElement;
    fireEvent.click(within(row).getByRole("button", { name: "共享" }));
    const dialog = await screen.findByRole("dialog", { name: `共享 ${MODEL}` });
    fireEvent.change(within(dialog).getByLabelText("客户端密钥"), { target: { value: "nobody" } });
    fireEvent.click(within(dialog).getByRole("button", { name: "保存共享" }));
    expect(await within(dialog).findAllByText("Unknown client keys: nobody.")).not.toHaveLength(0);
  });
});
