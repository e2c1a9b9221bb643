// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { afterEach, expect, it, vi } from "vitest";
import { App } from "../app.js";
import { I18nProvider } from "../i18n/index.js";
import { fakeApi, model, provider } from "../test/fake-api.js";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

it("the model page turns stream continuation on (and shows it on when it is)", async () => {
  let on = false;
  const { calls } = fakeApi({
    "GET /v1/db/providers": () => ({ body: { providers: [provider(1, "p1")] } }),
    "GET /v1/db/models": () => ({ body: { models: [{ ...model(4, "gpt-x", [{ id: 1, name: "p1" }]), stream_continuation: on }] } }),
    "PUT /v1/db/models/4": (c) => {
      on = (c.body as { stream_continuation: boolean }).stream_continuation;
      return { body: {} };
    },
  });
  history.replaceState(null, "", "/ui/models/4");
  render(
    <I18nProvider lang="en">
      <App />
    </I18nProvider>,
  );
  const box = (await screen.findByLabelText("Continue broken streams")) as HTMLInputElement;
  expect(box.checked).toBe(false);
  fireEvent.click(box);
  fireEvent.click(screen.getByRole("button", { name: "Save" }));
  await waitFor(() => expect(calls.some((c) => c.method === "PUT")).toBe(true));
  expect(calls.find((c) => c.method === "PUT")?.body).toMatchObject({ stream_continuation: true });
  await waitFor(() => expect((screen.getByLabelText("Continue broken streams") as HTMLInputElement).checked).toBe(true));
});
