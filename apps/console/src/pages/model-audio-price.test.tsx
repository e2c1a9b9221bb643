// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { afterEach, expect, it, vi } from "vitest";
import { App } from "../app.js";
import { I18nProvider } from "../i18n/index.js";
import { fakeApi, model, provider } from "../test/fake-api.js";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

it("the link form sets audio token prices (realtime) and keeps the price fields it does not show", async () => {
  const m = model(7, "gpt-realtime", [{ id: 1, name: "oai" }]);
  const link = m.providers[0] as { price: Record<string, number> };
  link.price = { input_per_mtok: 4, output_per_mtok: 16, cache_write_per_mtok: 5, output_audio_per_mtok: 60 };
  const { calls } = fakeApi({
    "GET /v1/db/providers": () => ({ body: { providers: [provider(1, "oai")] } }),
    "GET /v1/db/models": () => ({ body: { models: [m] } }),
    "PUT /v1/db/models/7/providers/1": () => ({ body: {} }),
  });
  history.replaceState(null, "", "/ui/models/7");
  render(
    <I18nProvider lang="en">
      <App />
    </I18nProvider>,
  );
  fireEvent.click(await screen.findByRole("button", { name: "Edit" }));
  const audioIn = (await screen.findByLabelText("Audio input price (USD / M tokens, realtime)")) as HTMLInputElement;
  const audioOut = screen.getByLabelText("Audio output price (USD / M tokens, realtime)") as HTMLInputElement;
  expect(audioIn.value).toBe("");
  expect(audioOut.value).toBe("60");
  fireEvent.change(audioIn, { target: { value: "32" } });
  fireEvent.change(audioOut, { target: { value: "64" } });
  fireEvent.click(within(screen.getByRole("dialog")).getByRole("button", { name: "Save" }));
  await waitFor(() => expect(calls.some((c) => c.method === "PUT")).toBe(true));
  const put = calls.find((c) => c.method === "PUT")?.body as { price: unknown } | undefined;
  expect(put?.price).toEqual({
    input_per_mtok: 4,
    output_per_mtok: 16,
    cache_write_per_mtok: 5,
    input_audio_per_mtok: 32,
    output_audio_per_mtok: 64,
  });
});
