import { type MockUpstream, startMockUpstream } from "@ai-router/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestProxy, type TestProxy } from "./harness.js";

// A 9 MB body of nested arrays held the event loop 1.6-13 s per request (JSON.parse alone takes over a
// second); four at once stalled /health for seconds. Such bodies are refused before they are parsed.
let up: MockUpstream;
let proxy: TestProxy;
const DEPTH = 4_500_000;

beforeAll(async () => {
  up = await startMockUpstream();
  proxy = await startTestProxy({
    server: { max_body_bytes: 16 * 1024 * 1024 },
    providers: [{ name: "up", type: "openai-compatible", base_url: up.baseUrl, api_key: "sk-up", timeout_ms: 2000 }],
    models: [{ name: "gpt-4o", providers: [{ provider: "up", model: "gpt-4o" }] }],
  });
});
afterAll(async () => {
  await proxy.close();
  await up.close();
});

/** `{"model":"gpt-4o", <field>: [[[...]]]}` nested `DEPTH` arrays deep (about 9 MB). */
const deepBody = (field: string) => `{"model":"gpt-4o","${field}":${"[".repeat(DEPTH)}${"]".repeat(DEPTH)}}`;

const formats = [
  {
    path: "/v1/chat/completions",
    field: "messages",
    envelope: (j: any) => expect(j.error).toMatchObject({ type: "invalid_request_error", code: "json_too_deep" }),
  },
  {
    path: "/v1/responses",
    field: "input",
    envelope: (j: any) => expect(j.error).toMatchObject({ type: "invalid_request_error", code: "json_too_deep" }),
  },
  {
    path: "/v1/messages",
    field: "messages",
    envelope: (j: any) => expect(j).toMatchObject({ type: "error", error: { type: "invalid_request_error" } }),
  },
  {
    path: "/v1beta/models/gpt-4o:generateContent",
    field: "contents",
    envelope: (j: any) => expect(j.error).toMatchObject({ code: 400, status: "INVALID_ARGUMENT" }),
  },
  { path: "/v1/embeddings", field: "input", envelope: (j: any) => expect(j.error).toMatchObject({ code: "json_too_deep" }) },
];

describe("deeply nested JSON bodies", () => {
  it("are refused with a 400 in each ingress's own error format, naming the depth limit", async () => {
    for (const f of formats) {
      const res = await fetch(proxy.url + f.path, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: deepBody(f.field),
      });
      expect(res.status, f.path).toBe(400);
      const json = await res.json();
      f.envelope(json);
      expect(JSON.stringify(json)).toMatch(/deeper than 128 levels/);
    }
  });

  it("keep /health answering promptly while several are sent at once", async () => {
    const body = deepBody("messages");
    const started = performance.now();
    const deep = Array.from({ length: 4 }, () =>
      fetch(`${proxy.url}/v1/chat/completions`, { method: "POST", headers: { "content-type": "application/json" }, body }).then(
        (r) => r.status,
      ),
    );
    let done = false;
    const all = Promise.all(deep).finally(() => {
      done = true;
    });
    let worst = 0;
    let probes = 0;
    while (!done) {
      const t = performance.now();
      const r = await fetch(`${proxy.url}/health`);
      await r.arrayBuffer();
      worst = Math.max(worst, performance.now() - t);
      probes++;
    }
    expect(await all).toEqual([400, 400, 400, 400]);
    // Before the fix each refusal parsed the body first: /health waited seconds behind them.
    expect(worst).toBeLessThan(500);
    expect(probes).toBeGreaterThan(0);
    expect(performance.now() - started).toBeLessThan(3000);
  });

  it("a deep but reasonable body (a nested tool schema) is still served", async () => {
    let schema: Record<string, unknown> = { type: "string" };
    for (let i = 0; i < 40; i++) schema = { type: "object", properties: { x: schema } };
    const res = await fetch(`${proxy.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        model: "gpt-4o",
        messages: [{ role: "user", content: "hi" }],
        tools: [{ type: "function", function: { name: "f", parameters: schema } }],
      }),
    });
    expect(res.status).toBe(200);
  });
});
