import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestCluster, type TestCluster, waitFor } from "./helpers.js";

/** Control plane + 2 proxies: capabilities and manual provider health are published to every replica. */
let cluster: TestCluster;
const admin = (method: string, path: string, body?: unknown, base?: string) => cluster.admin(method, path, body, base);
const post = (base: string, path: string, body: unknown) =>
  fetch(`${base}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
const image = [
  {
    role: "user",
    content: [
      { type: "text", text: "?" },
      { type: "image_url", image_url: { url: "data:image/png;base64,AAAA" } },
    ],
  },
];

beforeAll(async () => {
  cluster = await startTestCluster("cp_caps");
  await admin("POST", "/v1/db/providers", { name: "m1", adapter: "mock" });
  await admin("POST", "/v1/db/providers", { name: "m2", adapter: "mock" });
}, 60_000);
afterAll(async () => {
  await cluster?.stop();
});

describe("capabilities (cluster)", () => {
  it("seeds the original's capabilities, creates models with capability_ids, and every proxy enforces them", async () => {
    const caps = await fetch(`${cluster.cp.url}/v1/db/capabilities`);
    expect(caps.status).toBe(401);
    const list = (await admin("GET", "/v1/db/capabilities")).body as unknown as { capability_id: number; capability_name: string }[];
    const names = list.map((c) => c.capability_name);
    expect(names).toEqual(expect.arrayContaining(["TEXT", "MULTIMODAL_IMAGE_UNDERSTANDING", "TOOLS", "EMBEDDING", "IMAGE_GENERATION"]));
    const text = list.find((c) => c.capability_name === "TEXT")!.capability_id;
    const created = await admin("POST", "/v1/db/models", {
      name: "texty",
      provider_id: 1,
      upstream_model: "mock-1",
      capability_ids: [text],
    });
    expect(created.status).toBe(200);
    expect(created.body.capabilities).toEqual([{ capability_id: text, capability_name: "TEXT", description: "Text chat" }]);
    expect((await admin("POST", "/v1/db/models", { name: "bad", capability_ids: [99999] })).status).toBe(400);

    for (const p of cluster.proxies) {
      await waitFor(
        async () =>
          (await post(p.url, "/v1/chat/completions", { model: "texty", messages: [{ role: "user", content: "hi" }] })).status === 200,
        5000,
      );
      const r = await post(p.url, "/v1/chat/completions", { model: "texty", messages: image });
      expect(r.status).toBe(400);
      expect(((await r.json()) as { error: { code: string } }).error.code).toBe("capability_not_supported");
    }
    // Attach through a proxy's port (forwarded), then images are served everywhere.
    const base = cluster.proxies[0]!.url;
    const attach = await admin("POST", "/v1/models/texty/capabilities?capability_name=multimodal_image_understanding", undefined, base);
    expect(attach.status).toBe(200);
    for (const p of cluster.proxies)
      await waitFor(async () => (await post(p.url, "/v1/chat/completions", { model: "texty", messages: image })).status === 200, 5000);
    const filtered = (await (await fetch(`${base}/v1/models?capability=MULTIMODAL_IMAGE_UNDERSTANDING`)).json()) as {
      data: { id: string }[];
    };
    expect(filtered.data.map((m) => m.id)).toEqual(["texty"]);
    expect((await admin("GET", "/v1/models/texty/capabilities")).body).toMatchObject({ model_name: "texty" });
    expect((await admin("DELETE", "/v1/models/texty/capabilities/MULTIMODAL_IMAGE_UNDERSTANDING", undefined, base)).status).toBe(200);
    for (const p of cluster.proxies)
      await waitFor(async () => (await post(p.url, "/v1/chat/completions", { model: "texty", messages: image })).status === 400, 5000);
    const made = await admin("POST", "/v1/db/capabilities?capability_name=code_review&description=Reviews", undefined);
    expect(made.status).toBe(201);
    expect(made.body.capability_name).toBe("CODE_REVIEW");
    expect((await admin("POST", "/v1/db/capabilities", { capability_name: "code_review" })).status).toBe(409);
  });
});

describe("manual provider health (cluster)", () => {
  it("PUT /v1/providers/{name}/health takes a provider out of rotation on every replica and puts it back", async () => {
    expect(
      (await admin("POST", "/v1/db/models", { name: "pair", provider_id: 1, upstream_model: "mock-1", strategy: "round_robin" })).status,
    ).toBe(200);
    const link = await admin("POST", "/v1/db/models/2/providers", { provider_id: 2, upstream_model: "mock-1" });
    expect(link.status).toBeLessThan(300);
    const served = async (url: string) => {
      const r = await post(url, "/v1/chat/completions", { model: "pair", messages: [{ role: "user", content: "hi" }] });
      return r.headers.get("x-router-provider");
    };
    const base = cluster.proxies[0]!.url;
    expect((await fetch(`${base}/v1/providers/m1/health?health_status=unhealthy`, { method: "PUT" })).status).toBe(401);
    const put = await admin("PUT", "/v1/providers/m1/health?health_status=unhealthy", undefined, base);
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ provider_name: "m1", manual: "unhealthy" });
    for (const p of cluster.proxies) {
      await waitFor(async () => {
        const h = (await (await fetch(`${p.url}/v1/providers/m1/health`)).json()) as { overall_health: string };
        return h.overall_health === "unhealthy";
      }, 5000);
      for (let i = 0; i < 4; i++) expect(await served(p.url)).toBe("m2");
    }
    expect((await admin("PUT", "/v1/providers/m1/health", { health_status: "healthy" }, base)).status).toBe(200);
    for (const p of cluster.proxies) {
      const seen = new Set<string | null>();
      await waitFor(async () => {
        seen.add(await served(p.url));
        return seen.has("m1");
      }, 5000);
    }
    expect((await admin("PUT", "/v1/providers/nope/health?health_status=unhealthy")).status).toBe(404);
    expect((await admin("PUT", "/v1/providers/m1/health?health_status=sideways")).status).toBe(400);
  });
});
