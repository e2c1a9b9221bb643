import { type MockUpstream, startMockUpstream } from "@ai-router/testing";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openAIConfig, startTestProxy, type TestProxy } from "./harness.js";

let up: MockUpstream;
let proxy: TestProxy;
const TEAM_A = "sk-team-a-0123456789";
const TEAM_B = "sk-team-b-9876543210";
const OPS = "sk-ops-debug-5555555555";

beforeAll(async () => {
  up = await startMockUpstream();
  const cfg = openAIConfig([up.baseUrl], {
    keys: [
      { name: "team-a", key: TEAM_A, models: ["gpt-4o"] },
      { name: "team-b", key: TEAM_B, models: ["other"] },
      { name: "ops", key: OPS, debug: true },
    ],
  });
  (cfg.models as unknown[]).push({ name: "other", providers: [{ provider: "up0" }] });
  proxy = await startTestProxy(cfg);
});
afterAll(async () => {
  await proxy.close();
  await up.close();
});

const sdk = (apiKey: string) => new OpenAI({ baseURL: `${proxy.url}/v1`, apiKey, maxRetries: 0 });
const msg = [{ role: "user" as const, content: "hi" }];

describe("client keys", () => {
  it("accepts a valid key as Bearer or x-api-key", async () => {
    expect((await sdk(TEAM_A).chat.completions.create({ model: "gpt-4o", messages: msg })).choices[0]?.message.content).toBe("Echo: hi");
    const r = await fetch(`${proxy.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "x-api-key": TEAM_A, "content-type": "application/json" },
      body: JSON.stringify({ model: "gpt-4o", messages: msg }),
    });
    expect(r.status).toBe(200);
    // The client's key never goes upstream: the provider's key does.
    expect(up.requests.every((q) => q.headers.authorization === "Bearer sk-test-key-0" && q.headers["x-api-key"] === undefined)).toBe(true);
  });

  it("401 without a key or with a wrong one, and never echoes the key", async () => {
    const none = await fetch(`${proxy.url}/v1/models`);
    expect(none.status).toBe(401);
    expect((await none.json()).error.type).toBe("authentication_error");
    const wrong = await sdk("sk-wrong-key-abcdefgh")
      .chat.completions.create({ model: "gpt-4o", messages: msg })
      .catch((e) => e);
    expect(wrong).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(wrong.message).not.toContain("sk-wrong-key-abcdefgh");
    expect(wrong.message).toContain("efgh");
  });

  it("403 for a model the key may not use; the model list shows only allowed models", async () => {
    const err = await sdk(TEAM_B)
      .chat.completions.create({ model: "gpt-4o", messages: msg })
      .catch((e) => e);
    expect(err).toBeInstanceOf(OpenAI.PermissionDeniedError);
    expect((await sdk(TEAM_B).models.list()).data.map((m) => m.id)).toEqual(["other"]);
    expect((await sdk(TEAM_A).models.list()).data.map((m) => m.id)).toEqual(["gpt-4o"]);
  });

  it("health needs no key", async () => {
    const r = await fetch(`${proxy.url}/health`);
    expect(r.status).toBe(200);
    expect((await r.json()).status).toBe("ok");
  });
});

describe("what a key holder can see", () => {
  const chat = (key: string, headers: Record<string, string> = {}) =>
    fetch(`${proxy.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json", ...headers },
      body: JSON.stringify({ model: "gpt-4o", messages: msg }),
    });

  it("/v1/stats shows a key limited to some models only those models", async () => {
    expect((await chat(TEAM_A)).status).toBe(200);
    const stats = async (key: string) =>
      (
        (await (await fetch(`${proxy.url}/v1/stats`, { headers: { authorization: `Bearer ${key}` } })).json()) as {
          stats: { request_counters: Record<string, number>; available_models: string[] };
        }
      ).stats;
    const b = await stats(TEAM_B);
    expect(b.available_models).toEqual(["other"]);
    expect(Object.keys(b.request_counters)).not.toContain("gpt-4o");
    expect((await stats(TEAM_A)).request_counters["gpt-4o"]).toBeGreaterThan(0);
    expect((await stats(OPS)).available_models).toEqual(["gpt-4o", "other"]);
  });

  it("x-router-decision goes only to keys allowed to debug", async () => {
    const plain = await chat(TEAM_A, { "x-router-debug": "1" });
    expect(plain.status).toBe(200);
    expect(plain.headers.get("x-router-decision")).toBeNull();
    const ops = await chat(OPS, { "x-router-debug": "1" });
    expect(ops.headers.get("x-router-decision")).toMatch(/strategy=/);
  });
});

describe("server.auth_required with no client key left", () => {
  it("refuses every request with 401 (never opens the router), while health stays public", async () => {
    const closed = await startTestProxy(openAIConfig([up.baseUrl], { server: { auth_required: true } }));
    try {
      const noKey = await fetch(`${closed.url}/v1/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ model: "gpt-4o", messages: msg }),
      });
      expect(noKey.status).toBe(401);
      expect(((await noKey.json()) as { error: { code: string } }).error.code).toBe("missing_api_key");
      const anyKey = new OpenAI({ baseURL: `${closed.url}/v1`, apiKey: "sk-guess-123456", maxRetries: 0 });
      await expect(anyKey.chat.completions.create({ model: "gpt-4o", messages: msg })).rejects.toMatchObject({ status: 401 });
      expect((await fetch(`${closed.url}/health`)).status).toBe(200);
    } finally {
      await closed.close();
    }
  });
});
