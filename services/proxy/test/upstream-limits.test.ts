import { Readable } from "node:stream";
import { type MockUpstream, sendOpenAIError, startMockUpstream } from "@ai-router/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readAll } from "../src/upstream/send-upstream.js";
import { startTestProxy, type TestProxy } from "./harness.js";

/** What an upstream can make the router relay or hold: never its credentials, never unbounded bytes. */
const UPSTREAM_KEY = "sk-upstream-secret-key-1234567890";
let up: MockUpstream;
let proxy: TestProxy;

beforeAll(async () => {
  up = await startMockUpstream({
    routes: [
      {
        method: "POST",
        suffix: "/endless/chat/completions",
        sendError: sendOpenAIError,
        // An SSE stream whose first event never ends: 17 MB of `data` without a blank line.
        handle: async (ctx) => {
          ctx.res.writeHead(200, { "content-type": "text/event-stream" });
          ctx.res.write('data: {"choices":[{"delta":{"content":"');
          const block = "x".repeat(1024 * 1024);
          for (let i = 0; i < 17 && !ctx.res.destroyed; i++) {
            if (!ctx.res.write(block)) await new Promise((r) => ctx.res.once("drain", r));
          }
          ctx.res.end();
        },
      },
    ],
  });
  proxy = await startTestProxy({
    providers: [
      {
        name: "up",
        type: "openai-compatible",
        base_url: up.baseUrl,
        api_key: UPSTREAM_KEY,
        headers: { "X-Tenant-Secret": "tenant-secret-0987654321" },
      },
      { name: "endless", type: "openai-compatible", base_url: `${up.url}/endless`, api_key: "sk-x" },
    ],
    models: [
      { name: "m", providers: [{ provider: "up", model: "gpt-4o" }] },
      { name: "endless", providers: [{ provider: "endless", model: "gpt-4o" }] },
    ],
  });
});
afterAll(async () => {
  await proxy.close();
  await up.close();
});

const chat = (model: string, stream = false) =>
  fetch(`${proxy.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ model, stream, messages: [{ role: "user", content: "x" }] }),
  });

describe("upstream error text and sizes", () => {
  it("masks the router's own credentials (and anything shaped like one) in provider error text", async () => {
    up.behavior.next({
      status: 401,
      message: `Incorrect API key provided: ${UPSTREAM_KEY}. Header X-Tenant-Secret=tenant-secret-0987654321, Authorization: Bearer abcdefghijklmnopqrstuvwxyz, key AIzaSyA-0123456789abcdefghijklmnop`,
    });
    const r = await chat("m");
    expect(r.status).toBe(401);
    const { error } = (await r.json()) as { error: { message: string } };
    for (const secret of [UPSTREAM_KEY, "tenant-secret-0987654321", "abcdefghijklmnopqrstuvwxyz", "AIzaSyA-0123456789abcdefghijklmnop"]) {
      expect(error.message).not.toContain(secret);
    }
    expect(error.message).toContain("sk-...7890");
    expect(error.message).toContain("Incorrect API key provided");
  });

  it("breaks off a stream whose event never ends instead of buffering it", async () => {
    const r = await chat("endless", true);
    expect(r.status).toBe(502);
    expect(((await r.json()) as { error: { message: string } }).error.message).toMatch(/could not be read/);
  });

  it("reads an upstream body only up to its limit (whole, or truncated for error text)", async () => {
    const body = () => Readable.from([Buffer.alloc(600, 97), Buffer.alloc(600, 98)]);
    await expect(readAll(body() as never, 1000)).rejects.toThrow(/larger than 1000 bytes/);
    expect((await readAll(body() as never, 1000, true)).length).toBe(1000);
    expect((await readAll(body() as never, 2000)).length).toBe(1200);
  });
});
