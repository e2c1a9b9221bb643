import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openAIConfig, startTestProxy, type TestProxy } from "./harness.js";

/**
 * An OpenAI-style upstream that sends a whole stream, `[DONE]` included, and then keeps the response
 * open for `holdMs` before ending it (slow proxies and load balancers in front of real providers do).
 */
let upstream: Server;
let proxy: TestProxy;
const open = new Set<ServerResponse>();
const holdMs = 3_000;

const chunk = (obj: object) => `data: ${JSON.stringify(obj)}\n\n`;
const head = { id: "chatcmpl-1", object: "chat.completion.chunk", created: 1, model: "gpt-4o" };

beforeAll(async () => {
  upstream = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      const usage = JSON.parse(body).stream_options?.include_usage === true;
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write(
        chunk({ ...head, choices: [{ index: 0, delta: { role: "assistant", content: "Hi" }, finish_reason: null }] }) +
          chunk({ ...head, choices: [{ index: 0, delta: {}, finish_reason: "stop" }] }) +
          (usage ? chunk({ ...head, choices: [], usage: { prompt_tokens: 5, completion_tokens: 1, total_tokens: 6 } }) : "") +
          "data: [DONE]\n\n",
      );
      open.add(res);
      setTimeout(() => {
        open.delete(res);
        res.end();
      }, holdMs).unref();
    });
  });
  await new Promise<void>((r) => upstream.listen(0, "127.0.0.1", r));
  const { port } = upstream.address() as AddressInfo;
  proxy = await startTestProxy(openAIConfig([`http://127.0.0.1:${port}/v1`], { provider: { timeout_ms: 10_000 } }));
});

afterAll(async () => {
  for (const r of open) r.end();
  await proxy.close();
  await new Promise((r) => upstream.close(r));
});

const stream = (extra: object = {}) =>
  fetch(`${proxy.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(Object.assign({ model: "gpt-4o", stream: true, messages: [{ role: "user", content: "hi" }] }, extra)),
  });

describe("a stream whose upstream lingers after [DONE]", () => {
  it("ends the client's response at [DONE], without waiting for the upstream to close its body", async () => {
    const t0 = Date.now();
    const r = await stream({ stream_options: { include_usage: true } });
    const text = await r.text();
    expect(Date.now() - t0).toBeLessThan(holdMs / 2);
    expect(text.endsWith("data: [DONE]\n\n")).toBe(true);
    expect(text.match(/\[DONE\]/g)).toHaveLength(1);
    expect(text).toContain('"total_tokens":6');
  });

  it("strips the usage it asked for on the client's behalf, ends once, and records the usage", async () => {
    const before = (await (await fetch(`${proxy.url}/v1/stats`)).json()).stats.prompt_tokens["gpt-4o"] ?? 0;
    const t0 = Date.now();
    const text = await (await stream()).text();
    expect(Date.now() - t0).toBeLessThan(holdMs / 2);
    expect(text).not.toContain('"usage":{');
    expect(text.endsWith("data: [DONE]\n\n")).toBe(true);
    expect(text.match(/\[DONE\]/g)).toHaveLength(1);
    const after = (await (await fetch(`${proxy.url}/v1/stats`)).json()).stats.prompt_tokens["gpt-4o"];
    expect(after - before).toBe(5);
  });

  it("keeps serving: several streams in a row while earlier upstream bodies are still open", async () => {
    const texts = await Promise.all([stream(), stream(), stream()].map(async (p) => (await p).text()));
    for (const t of texts) expect(t.endsWith("data: [DONE]\n\n")).toBe(true);
  });
});
