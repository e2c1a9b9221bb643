import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { proxyOpenApi } from "../src/docs/openapi.js";
import { type ProxyProcess, spawnProxy } from "./harness.js";

describe("standalone /docs and /openapi.json (process)", () => {
  let dir: string;
  let p: ProxyProcess;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "docs-"));
    const file = join(dir, "router.yaml");
    writeFileSync(file, "providers:\n  - { name: demo, type: mock }\nmodels:\n  - { name: demo-chat, providers: [{ provider: demo }] }\n");
    p = await spawnProxy({ ROUTER_CONFIG: file });
  });
  afterAll(async () => {
    await p?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("documents the proxy's own endpoints in OpenAPI 3.1, and every documented GET path is served", async () => {
    const r = await fetch(`${p.url}/openapi.json`);
    expect(r.status).toBe(200);
    const doc = (await r.json()) as { openapi: string; paths: Record<string, Record<string, { requestBody?: unknown }>> };
    expect(doc.openapi).toBe("3.1.0");
    expect(doc, "the document the committed contract (openapi/proxy.v1.json) is generated from").toEqual(
      JSON.parse(JSON.stringify(proxyOpenApi())),
    );
    for (const path of ["/v1/chat/completions", "/v1/messages", "/v1/embeddings", "/v1/models", "/v1/providers/top", "/v1/stats/refresh"])
      expect(doc.paths[path], path).toBeDefined();
    expect(doc.paths["/v1/providers/{name}/health"]?.put).toBeDefined();
    expect(JSON.stringify(doc.paths["/v1/chat/completions"]?.post?.requestBody)).toContain("messages");
    for (const [path, methods] of Object.entries(doc.paths)) {
      if (!methods.get) continue;
      const url = path.replace("{model}", "demo-chat").replace("{name}", "demo");
      const q = path.includes("recommendations") || path.includes("best-for-model") ? "?model=demo-chat" : "";
      const res = await fetch(`${p.url}${url}${q}`);
      // A client's own objects (files, batches): served, and an id it does not own is a 404 in OpenAI's envelope.
      if (/\{(file|batch|fine_tuning_job)_id\}/.test(path)) {
        expect(res.status, path).toBe(404);
        expect(((await res.json()) as { error: { type: string } }).error.type, path).toBe("not_found_error");
        continue;
      }
      expect(res.status, path).toBe(200);
    }
  });

  it("serves Swagger UI from the package (no CDN)", async () => {
    const page = await (await fetch(`${p.url}/docs`)).text();
    expect(page).toContain("swagger-ui");
    expect(page).not.toMatch(/https?:\/\//);
    const js = await fetch(`${p.url}/docs/swagger-ui-bundle.js`);
    expect(js.status).toBe(200);
    expect(js.headers.get("content-type")).toContain("javascript");
    expect((await fetch(`${p.url}/docs/../../etc/passwd`)).status).toBe(404);
    expect((await fetch(`${p.url}/docs/nope.js`)).status).toBe(404);
    expect((await fetch(`${p.url}/docs/constructor`)).status).toBe(404); // not a property of a plain object
  });

  it("never keeps a typed token in the browser's storage, and cannot be framed", async () => {
    const init = await fetch(`${p.url}/docs/swagger-init.js`);
    const text = await init.text();
    expect(text).toContain("persistAuthorization: false");
    expect(text).not.toContain("persistAuthorization: true");
    const page = await fetch(`${p.url}/docs`);
    expect(page.headers.get("x-frame-options")).toBe("DENY");
    expect(page.headers.get("x-content-type-options")).toBe("nosniff");
  });
});
