// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { afterEach, expect, it, vi } from "vitest";
import { App } from "../app.js";
import { I18nProvider, type Lang } from "../i18n/index.js";
import { fakeApi, model, provider } from "../test/fake-api.js";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

/** A transcription model whose link is priced per audio minute (and carries a cache-write price the form does not show). */
function openModel(lang: Lang) {
  const m = model(4, "whisper-1", [{ id: 1, name: "p1" }]);
  m.llm_type = "transcription";
  Object.assign(m.providers[0]!, { price: { input_per_mtok: 0, output_per_mtok: 0, per_audio_minute: 0.006, cache_write_per_mtok: 1 } });
  const api = fakeApi({
    "GET /v1/db/providers": () => ({ body: { providers: [provider(1, "p1")] } }),
    "GET /v1/db/models": () => ({ body: { models: [m] } }),
    "PUT /v1/db/models/4/providers/1": () => ({ body: {} }),
  });
  history.replaceState(null, "", "/ui/models/4");
  render(
    <I18nProvider lang={lang}>
      <App />
    </I18nProvider>,
  );
  return api;
}

it("a transcription model's link shows and edits its price per audio minute, keeping the price fields the form does not show", async () => {
  const { calls } = openModel("en");
  expect(await screen.findByText("$0 / $0 · $0.006 / audio min")).toBeTruthy();
  fireEvent.click(screen.getByRole("button", { name: "Edit" }));
  const field = (await screen.findByLabelText("Price per audio minute (USD)")) as HTMLInputElement;
  expect(field.value).toBe("0.006");
  fireEvent.change(field, { target: { value: "0.01" } });
  fireEvent.click(within(field.closest("form") as HTMLElement).getByRole("button", { name: "Save" }));
  await waitFor(() => expect(calls.some((c) => c.method === "PUT")).toBe(true));
  expect(calls.find((c) => c.method === "PUT")?.body).toMatchObject({
    price: { input_per_mtok: 0, output_per_mtok: 0, per_audio_minute: 0.01, cache_write_per_mtok: 1 },
  });
});

it("the unit price field is labelled in Chinese too", async () => {
  openModel("zh-CN");
  expect(await screen.findByText("$0 / $0 · $0.006 / 音频分钟")).toBeTruthy();
  fireEvent.click(screen.getByRole("button", { name: "编辑" }));
  expect(await screen.findByLabelText("每分钟音频价格（美元）")).toBeTruthy();
});
