import { readFileSync } from "node:fs";
import { ROUTING_TABLE_READS, ROUTING_TABLE_SCHEMA_VERSION, USAGE_RECORD_SCHEMA_VERSION } from "@ai-router/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { VersionInfo } from "../src/versions/version.js";
import { startTestProxy, type TestProxy } from "./harness.js";

// GET /v1/version, and the original's duplicate paths answered with RFC 9745 / RFC 8594 headers.
let proxy: TestProxy;
const KEY = "sk-router-versions-test";
const auth = { authorization: `Bearer ${KEY}` };
const METRICS_TOKEN = "metrics-versions-0123456789";

beforeAll(async () => {
  proxy = await startTestProxy(
    {
      providers: [{ name: "demo", type: "mock" }],
      models: [{ name: "demo-chat", providers: [{ provider: "demo" }] }],
      keys: [{ name: "c", key: KEY }],
    },
    {},
    { proxy: () => ({ metricsToken: METRICS_TOKEN }) },
  );
});
afterAll(() => proxy.close());

const get = (path: string, headers: Record<string, string> = auth) => fetch(proxy.url + path, { headers });

describe("GET /v1/version", () => {
  it("answers without a key: the release, API versions and the schema versions a replica reads", async () => {
    const r = await get("/v1/version", {});
    expect(r.status).toBe(200);
    const body = VersionInfo.parse(await r.json());
    const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string };
    expect(body.router).toBe(pkg.version);
    expect(body.api).toEqual({ proxy: "v1", admin: "v1" });
    expect(body.schemas.routing_table).toEqual({ version: ROUTING_TABLE_SCHEMA_VERSION, reads: ROUTING_TABLE_READS });
    expect(body.schemas.usage_record.version).toBe(USAGE_RECORD_SCHEMA_VERSION);
    expect(body.formats.anthropic).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });
});

describe("deprecated paths", () => {
  it("/v1/providers/{name}/best-for-model answers as its successor, with Deprecation, Sunset and Link", async () => {
    const old = await get("/v1/providers/demo/best-for-model?model=demo-chat");
    expect(old.status).toBe(200);
    expect(old.headers.get("deprecation")).toMatch(/^@\d+$/);
    expect(old.headers.get("sunset")).toMatch(/^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/);
    expect(old.headers.get("link")).toBe('</v1/providers/best-for-model>; rel="successor-version"');
    const successor = await get("/v1/providers/best-for-model?model=demo-chat");
    expect(successor.headers.get("deprecation")).toBeNull();
    expect(await old.json()).toEqual(await successor.json());
    // The same prefix route's other paths are not deprecated.
    expect((await get("/v1/providers/demo/health")).headers.get("deprecation")).toBeNull();
    // A browser client may read them too (CORS exposes the three headers).
    const cors = await get("/v1/providers/demo/best-for-model?model=demo-chat", { ...auth, origin: "https://app.example" });
    const exposed = (cors.headers.get("access-control-expose-headers") ?? "").split(/,\s*/);
    expect(exposed).toEqual(expect.arrayContaining(["deprecation", "sunset", "link"]));
  });

  it("/v1/models/{model}/health (the original's older duplicate) is served, pointing at /v1/health/models/{model}", async () => {
    const old = await get("/v1/models/demo-chat/health");
    expect(old.status).toBe(200);
    expect(old.headers.get("link")).toBe('</v1/health/models/demo-chat>; rel="successor-version"');
    const body = (await old.json()) as Record<string, unknown>;
    const next = (await (await get("/v1/health/models/demo-chat")).json()) as Record<string, unknown>;
    expect({ ...body, timestamp: 0, execution_time: 0 }).toEqual({ ...next, timestamp: 0, execution_time: 0 });
    expect((await get("/v1/models/demo-chat")).headers.get("deprecation")).toBeNull();
  });

  it("a hostile path in a deprecated form is a 404, its successor link encoded", async () => {
    const r = await get("/v1/models/%0d%0aset-cookie:%20x%3C/health");
    expect(r.status).toBe(404);
    expect(r.headers.get("set-cookie")).toBeNull();
    expect(r.headers.get("link")).toBe('</v1/health/models/%0D%0Aset-cookie%3A%20x%3C>; rel="successor-version"');
  });

  it("counts each deprecated path's requests in ai_router_deprecated_requests_total{path}", async () => {
    const count = async (path: string) => {
      const text = await (await get("/metrics", { authorization: `Bearer ${METRICS_TOKEN}` })).text();
      const line = text.split("\n").find((l) => l.startsWith(`ai_router_deprecated_requests_total{path="${path}"}`));
      return Number(line?.split(" ").at(-1));
    };
    const before = await count("GET /v1/providers/:name/best-for-model");
    await get("/v1/providers/x/best-for-model?model=demo-chat");
    await get("/v1/providers/best-for-model?model=demo-chat");
    expect(await count("GET /v1/providers/:name/best-for-model")).toBe(before + 1);
    expect(await count("GET /v1/models/:model/health")).toBeGreaterThanOrEqual(1);
  });
});
