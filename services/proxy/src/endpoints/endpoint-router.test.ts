import { describe, expect, it } from "vitest";
import type { Endpoint } from "./endpoint.js";
import { EndpointRouter } from "./endpoint-router.js";

const ep = (method: Endpoint["method"], path: string, extra: Partial<Endpoint> = {}): Endpoint =>
  Object.assign({ method, path, auth: true, handle: () => {} }, extra);

describe("EndpointRouter", () => {
  const chat = ep("POST", "/v1/chat/completions", { usage: { ingress: "openai-chat", endpoint: "chat.completions", estimate: "chat" } });
  const model = ep("GET", "/v1/models/*");
  const lb = ep("GET", "/v1/load-balancing/info");
  const router = new EndpointRouter();
  for (const e of [chat, model, lb]) router.add(e);

  it("matches exact paths (a trailing slash ignored) without allocating, and prefix paths with their decoded rest", () => {
    const a = router.match("POST", "/v1/chat/completions");
    expect(a).toMatchObject({ endpoint: chat, rest: "" });
    expect(router.match("POST", "/v1/chat/completions/")).toBe(a);
    expect(router.match("GET", "/v1/models/org%2Fmodel")).toMatchObject({ endpoint: model, rest: "org/model" });
  });

  it("answers 405 for a known path with another method, 404 for an unknown path or a malformed escape", () => {
    expect(router.match("GET", "/v1/chat/completions")).toBe("wrong_method");
    expect(router.match("POST", "/v1/nothing")).toBeUndefined();
    expect(router.match("GET", "/v1/models/%E0%A4%A")).toBeUndefined();
  });

  it("records an endpoint under its declared usage, else under its path (refusals only)", () => {
    expect((router.match("POST", "/v1/chat/completions") as { record: unknown }).record).toEqual(chat.usage);
    expect((router.match("GET", "/v1/load-balancing/info") as { record: unknown }).record).toEqual({
      ingress: "",
      endpoint: "load-balancing.info",
      estimate: "none",
    });
  });
});
