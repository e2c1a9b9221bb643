import { gzipSync } from "node:zlib";
import { type MockUpstream, startMockUpstream } from "@ai-router/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import type { Endpoint } from "../src/endpoints/endpoint.js";
import { sendJson } from "../src/http/respond.js";
import { startTestProxy, type TestProxy } from "./harness.js";

/**
 * The router does for a declared endpoint what its declaration says, before the handler runs: the body
 * read as declared (json parsed and validated, raw decoded, multipart as sent), errors in the
 * endpoint's envelope. The next endpoints (audio, speech, files...) are declarations like these.
 */
let proxy: TestProxy;
const seen: { body: string; json: unknown; valid: unknown }[] = [];
const echo = (path: string, extra: Partial<Endpoint>): Endpoint =>
  Object.assign(
    {
      method: "POST" as const,
      path,
      auth: false,
      handle: (ctx: Parameters<Endpoint["handle"]>[0]) => {
        seen.push({ body: ctx.body.toString("latin1"), json: ctx.json, valid: ctx.valid });
        sendJson(ctx.res, 200, JSON.stringify({ ok: true }));
      },
    },
    extra,
  );

beforeAll(async () => {
  proxy = await startTestProxy({ providers: [{ name: "demo", type: "mock" }], models: [{ name: "m", providers: [{ provider: "demo" }] }] });
  proxy.proxy.addRoute(
    echo("/test/json", { body: "json", schema: z.object({ voice: z.enum(["alloy", "echo"]), speed: z.number().optional() }) }),
  );
  proxy.proxy.addRoute(echo("/test/raw", { body: "raw" }));
  proxy.proxy.addRoute(echo("/test/multipart", { body: "multipart", answers: ["binary"] }));
  proxy.proxy.addRoute(
    echo("/test/own-envelope", {
      body: "json",
      schema: z.object({ n: z.number() }),
      sendError: (res, err, headers) => sendJson(res, err.status, JSON.stringify({ failed: err.message }), headers),
    }),
  );
});
afterAll(() => proxy.close());

const post = (path: string, body: string | Buffer, headers: Record<string, string> = {}) =>
  fetch(`${proxy.url}${path}`, { method: "POST", headers: Object.assign({ "content-type": "application/json" }, headers), body });

describe("declared endpoints", () => {
  it("json: parsed, validated by the declared schema; the handler gets what the client sent and what the schema made", async () => {
    seen.length = 0;
    expect((await post("/test/json", '{"voice":"alloy","extra":1}')).status).toBe(200);
    expect(seen[0]).toMatchObject({ json: { voice: "alloy", extra: 1 }, valid: { voice: "alloy" } });
    const bad = await post("/test/json", '{"voice":"robot"}');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { param: string } }).error.param).toBe("voice");
    expect((await post("/test/json", "[1,2]")).status).toBe(400);
    expect(seen).toHaveLength(1);
  });

  it("raw: the decoded bytes (gzip undone); multipart: the bytes as sent", async () => {
    seen.length = 0;
    expect((await post("/test/raw", gzipSync("hello raw"), { "content-encoding": "gzip" })).status).toBe(200);
    const form = '--b\r\ncontent-disposition: form-data; name="file"\r\n\r\nRIFF\r\n--b--\r\n';
    expect((await post("/test/multipart", form, { "content-type": "multipart/form-data; boundary=b" })).status).toBe(200);
    expect(seen.map((s) => s.body)).toEqual(["hello raw", form]);
  });

  it("answers a body error in the endpoint's own envelope", async () => {
    const r = await post("/test/own-envelope", '{"n":"x"}');
    expect(r.status).toBe(400);
    expect(await r.json()).toEqual({ failed: expect.stringContaining("'n'") });
  });
});

describe("providers serve the endpoints they declare", () => {
  let claude: MockUpstream;
  let openai: MockUpstream;
  let p: TestProxy;
  beforeAll(async () => {
    claude = await startMockUpstream();
    openai = await startMockUpstream();
    p = await startTestProxy({
      providers: [
        { name: "claude", type: "anthropic", base_url: claude.baseUrl, api_key: "sk-ant-test-0123456789" },
        { name: "oai", type: "openai-compatible", base_url: openai.baseUrl, api_key: "sk-test-0123456789" },
      ],
      models: [
        { name: "emb", llm_type: "embedding", strategy: "fallback", providers: [{ provider: "claude" }, { provider: "oai" }] },
        { name: "emb-claude", llm_type: "embedding", providers: [{ provider: "claude" }] },
      ],
    });
  });
  afterAll(async () => {
    await p.close();
    await claude.close();
    await openai.close();
  });
  const embed = (model: string) =>
    fetch(`${p.url}/v1/embeddings`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model, input: "hi" }),
    });

  it("skips a target whose provider does not declare the endpoint, without calling it", async () => {
    const r = await embed("emb");
    expect(r.status).toBe(200);
    expect(r.headers.get("x-router-provider")).toBe("oai");
    expect(r.headers.get("x-router-attempts")).toBe("2");
    expect(claude.received("/embeddings")).toHaveLength(0);
  });

  it("answers 400 unsupported_endpoint when no target's provider serves it", async () => {
    const r = await embed("emb-claude");
    expect(r.status).toBe(400);
    expect(((await r.json()) as { error: { code: string } }).error.code).toBe("unsupported_endpoint");
    expect(claude.received("/embeddings")).toHaveLength(0);
  });
});
