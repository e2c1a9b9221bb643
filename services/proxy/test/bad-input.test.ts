import { request } from "node:http";
import { type MockUpstream, startMockUpstream } from "@ai-router/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openAIConfig, startTestProxy, type TestProxy } from "./harness.js";

let up: MockUpstream;
let proxy: TestProxy;
beforeAll(async () => {
  up = await startMockUpstream();
  proxy = await startTestProxy(openAIConfig([up.baseUrl], { server: { max_body_bytes: 4096 } }));
});
afterAll(async () => {
  await proxy.close();
  await up.close();
});

/** Raw request so we can send anything, including bytes that are not UTF-8. */
function send(
  method: string,
  path: string,
  body?: Buffer | string,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: any }> {
  return new Promise((resolve, reject) => {
    const req = request(`${proxy.url}${path}`, { method, headers: { "content-type": "application/json", ...headers } }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (d) => (text += d));
      res.on("end", () => {
        try {
          resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) });
        } catch {
          reject(new Error(`not JSON (${res.statusCode}): ${text}`));
        }
      });
    });
    req.on("error", reject);
    req.end(body);
  });
}

const expectEnvelope = (json: any) => {
  expect(Object.keys(json)).toEqual(["error"]);
  expect(Object.keys(json.error).sort()).toEqual(["code", "message", "param", "type"]);
  expect(typeof json.error.message).toBe("string");
};

const cases: [string, string | Buffer, number, string | null][] = [
  ["invalid JSON", "{not json", 400, null],
  ["invalid UTF-8", Buffer.from([0x7b, 0x22, 0x6d, 0xff, 0xfe, 0x22, 0x7d]), 400, null],
  ["an empty body", "", 400, null],
  ["a JSON array", "[1,2]", 400, null],
  ["no model", JSON.stringify({ messages: [{ role: "user", content: "x" }] }), 400, "model"],
  ["no messages", JSON.stringify({ model: "gpt-4o" }), 400, "messages"],
  ["empty messages", JSON.stringify({ model: "gpt-4o", messages: [] }), 400, "messages"],
  ["a wrong type", JSON.stringify({ model: "gpt-4o", messages: [{ role: "user", content: "x" }], temperature: "hot" }), 400, "temperature"],
  [
    "an out-of-range value",
    JSON.stringify({ model: "gpt-4o", messages: [{ role: "user", content: "x" }], temperature: 9 }),
    400,
    "temperature",
  ],
  ["an unknown role", JSON.stringify({ model: "gpt-4o", messages: [{ role: "robot", content: "x" }] }), 400, "messages[0].role"],
  ["a numeric model", JSON.stringify({ model: 4, messages: [{ role: "user", content: "x" }] }), 400, "model"],
  ["an unknown model", JSON.stringify({ model: "gpt-9", messages: [{ role: "user", content: "x" }] }), 404, "model"],
];

describe("bad input gets a clear OpenAI-style 4xx", () => {
  it.each(cases)("%s", async (_name, body, status, param) => {
    const r = await send("POST", "/v1/chat/completions", body);
    expect(r.status).toBe(status);
    expectEnvelope(r.json);
    expect(r.json.error.param).toBe(param);
    expect(up.requests.length).toBe(0);
  });

  it("413 for a body over the limit, by Content-Length or by streaming", async () => {
    const big = JSON.stringify({ model: "gpt-4o", messages: [{ role: "user", content: "x".repeat(10_000) }] });
    const r = await send("POST", "/v1/chat/completions", big);
    expect(r.status).toBe(413);
    expectEnvelope(r.json);
    const chunked = await send("POST", "/v1/chat/completions", big, { "transfer-encoding": "chunked" });
    expect(chunked.status).toBe(413);
  });

  it("404 for an unknown path and 405 for a wrong method", async () => {
    const r = await send("POST", "/v1/nope", "{}");
    expect(r.status).toBe(404);
    expect(r.json.error.code).toBe("unknown_url");
    const m = await send("GET", "/v1/chat/completions");
    expect(m.status).toBe(405);
    expectEnvelope(m.json);
  });

  it("404, not 500, for a malformed URL escape in a path parameter", async () => {
    for (const path of ["/v1/models/%E0%A4%A", "/v1/load-balancing/model/%ZZ/strategies", "/v1/providers/%E0/health"]) {
      const r = await send("GET", path);
      expect(r.status).toBe(404);
      expectEnvelope(r.json);
    }
  });

  it("answers paths with and without a trailing slash alike", async () => {
    for (const path of ["/v1/models/", "/v1/stats/", "/v1/models/gpt-4o/", "/v1/load-balancing/statistics/", "/v1/health/"]) {
      expect((await send("GET", path)).status, path).toBe(200);
    }
  });

  it("still serves good requests afterwards", async () => {
    const r = await send("POST", "/v1/chat/completions", JSON.stringify({ model: "gpt-4o", messages: [{ role: "user", content: "ok?" }] }));
    expect(r.status).toBe(200);
    expect(r.json.choices[0].message.content).toBe("Echo: ok?");
  });
});
