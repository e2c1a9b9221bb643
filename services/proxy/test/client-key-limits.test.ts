import { ConfigError, parseConfig } from "@ai-router/config";
import { type MockUpstream, startMockUpstream } from "@ai-router/testing";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestProxy, type TestProxy } from "./harness.js";

const RPM = "sk-rpm-key-0123456789";
const BUDGET = "sk-budget-key-0123456789";
const STREAM_BUDGET = "sk-stream-budget-0123456789";
const TPM = "sk-tpm-key-0123456789";
const FREE = "sk-free-key-0123456789";

let up: MockUpstream;
let proxy: TestProxy;

/** Every key on one priced model; $1000 per million tokens, so one mock answer costs more than $0.001. */
const yaml = (base: string) => `
providers:
  - { name: up, type: openai-compatible, base_url: "${base}", api_key: sk-upstream-1 }
models:
  - name: gpt-4o
    providers:
      - { provider: up, model: gpt-4o, price: { input_per_mtok: 1000, output_per_mtok: 1000 } }
keys:
  - { name: rpm-key, key: ${RPM}, rpm_limit: 60 }
  - { name: budget-key, key: ${BUDGET}, budget_usd: 0.001 }
  - { name: stream-budget-key, key: ${STREAM_BUDGET}, budget_usd: 0.001 }
  - { name: tpm-key, key: ${TPM}, tpm_limit: 2 }
  - { name: free-key, key: ${FREE} }
`;

beforeAll(async () => {
  up = await startMockUpstream();
  proxy = await startTestProxy(yaml(up.baseUrl));
});
afterAll(async () => {
  await proxy.close();
  await up.close();
});

const msg = [{ role: "user" as const, content: "hi" }];
const chat = (key: string, extra: Record<string, unknown> = {}) =>
  fetch(`${proxy.url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify(Object.assign({ model: "gpt-4o", messages: msg }, extra)),
  });
const sdk = (apiKey: string) => new OpenAI({ baseURL: `${proxy.url}/v1`, apiKey, maxRetries: 0 });

describe("client key limits (standalone)", () => {
  it("refuses the 61st request in a minute with rpm_limit 60: 429, OpenAI's envelope and headers, upstream never called", async () => {
    const firstServed = await chat(RPM);
    await firstServed.arrayBuffer();
    expect(firstServed.headers.get("x-ratelimit-limit-requests")).toBe("60");
    expect(firstServed.headers.get("x-ratelimit-remaining-requests")).toBe("59");
    expect(firstServed.headers.get("x-ratelimit-reset-requests")).toMatch(/^(\d+ms|\d+s|1m\ds)$/);
    // Keys without limits get no rate-limit headers.
    expect((await chat(FREE)).headers.get("x-ratelimit-limit-requests")).toBeNull();
    for (let batch = 0; batch < 6; batch++) {
      const statuses = await Promise.all(
        // 1 + 59: the first request above counts too.
        Array.from({ length: batch === 5 ? 9 : 10 }, async () => {
          const r = await chat(RPM);
          await r.arrayBuffer();
          return r.status;
        }),
      );
      expect(statuses).toEqual(Array(statuses.length).fill(200));
    }
    const upstreamBefore = up.requests.length;
    const r = await chat(RPM);
    expect(r.status).toBe(429);
    expect(await r.json()).toEqual({
      error: {
        message: expect.stringMatching(/^Rate limit reached for key rpm-key on requests per min \(RPM\): Limit 60, Used 60/),
        type: "requests",
        param: null,
        code: "rate_limit_exceeded",
      },
    });
    const retryAfter = Number(r.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(61);
    expect(r.headers.get("x-ratelimit-limit-requests")).toBe("60");
    expect(r.headers.get("x-ratelimit-remaining-requests")).toBe("0");
    expect(r.headers.get("x-ratelimit-reset-requests")).toMatch(/^(\d+ms|\d+s|1m\ds)$/);
    expect(r.headers.get("x-request-id")).toBeTruthy();
    expect(up.requests.length).toBe(upstreamBefore);

    // The official SDK surfaces it as RateLimitError; another key is unaffected.
    const err = await sdk(RPM)
      .chat.completions.create({ model: "gpt-4o", messages: msg })
      .catch((e) => e);
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    expect(err.status).toBe(429);
    expect(err.code).toBe("rate_limit_exceeded");
    expect((await sdk(FREE).chat.completions.create({ model: "gpt-4o", messages: msg })).choices[0]?.message.content).toBe("Echo: hi");
    // GET views are not model requests: never refused.
    expect((await fetch(`${proxy.url}/v1/models`, { headers: { authorization: `Bearer ${RPM}` } })).status).toBe(200);
    expect(up.requests.length).toBe(upstreamBefore + 1);
    // A browser client may read when to retry (CORS exposes the headers).
    const cors = await fetch(`${proxy.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${RPM}`, "content-type": "application/json", origin: "https://app.example" },
      body: JSON.stringify({ model: "gpt-4o", messages: msg }),
    });
    expect(cors.status).toBe(429);
    const exposed = (cors.headers.get("access-control-expose-headers") ?? "").split(/,\s*/);
    expect(exposed).toEqual(expect.arrayContaining(["retry-after", "x-ratelimit-remaining-requests", "x-ratelimit-reset-tokens"]));
  });

  it("answers /v1/messages over the limit in Anthropic's envelope", async () => {
    const r = await fetch(`${proxy.url}/v1/messages`, {
      method: "POST",
      headers: { "x-api-key": RPM, "content-type": "application/json", "anthropic-version": "2023-06-01" },
      body: JSON.stringify({ model: "gpt-4o", max_tokens: 16, messages: msg }),
    });
    expect(r.status).toBe(429);
    expect(r.headers.get("x-ratelimit-remaining-requests")).toBe("0");
    expect(Number(r.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    const body = await r.json();
    expect(body).toMatchObject({ type: "error", error: { type: "rate_limit_error", message: expect.stringContaining("Limit 60") } });
    expect(body.request_id).toBe(r.headers.get("x-request-id"));
  });

  it("refuses a key over its budget with 429 insufficient_quota, without calling the upstream", async () => {
    const first = await chat(BUDGET);
    expect(first.status).toBe(200);
    await first.arrayBuffer();
    const upstreamBefore = up.requests.length;
    const r = await chat(BUDGET);
    expect(r.status).toBe(429);
    expect(await r.json()).toEqual({
      error: {
        message: expect.stringMatching(/^You exceeded your current quota: key budget-key has spent \$0\.\d{4} of its \$0\.0010 budget/),
        type: "insufficient_quota",
        param: null,
        code: "insufficient_quota",
      },
    });
    const err = await sdk(BUDGET)
      .chat.completions.create({ model: "gpt-4o", messages: msg })
      .catch((e) => e);
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    expect(err.code).toBe("insufficient_quota");
    expect(up.requests.length).toBe(upstreamBefore);
    expect((await chat(FREE)).status).toBe(200);
  });

  it("counts a stream's usage against the budget", async () => {
    const s = await chat(STREAM_BUDGET, { stream: true });
    expect(s.status).toBe(200);
    expect(await s.text()).toContain("[DONE]");
    const r = await chat(STREAM_BUDGET, { stream: true });
    expect(r.status).toBe(429);
    expect((await r.json()).error.code).toBe("insufficient_quota");
  });

  it("lets the request that crosses tpm_limit finish, then refuses with the token headers", async () => {
    const first = await chat(TPM);
    expect(first.status).toBe(200);
    // Served answers carry the limits like OpenAI's: nothing used yet when this one was admitted.
    expect(first.headers.get("x-ratelimit-limit-tokens")).toBe("2");
    expect(first.headers.get("x-ratelimit-remaining-tokens")).toBe("2");
    expect((await first.json()).usage.total_tokens).toBeGreaterThan(2); // overshoot: tokens are known afterwards
    const r = await chat(TPM);
    expect(r.status).toBe(429);
    expect((await r.json()).error).toMatchObject({ type: "tokens", code: "rate_limit_exceeded" });
    expect(r.headers.get("x-ratelimit-limit-tokens")).toBe("2");
    expect(r.headers.get("x-ratelimit-remaining-tokens")).toBe("0");
    expect(r.headers.get("x-ratelimit-reset-tokens")).toMatch(/s$/);
  });

  it("rejects invalid limits in router.yaml naming the path", () => {
    const bad = (k: string) => () =>
      parseConfig(`${yaml("http://127.0.0.1:1").split("keys:")[0]}keys:\n  - { name: a, key: sk-aaaaaaaa, ${k} }\n`, "router.yaml", {});
    expect(bad("rpm_limit: 0")).toThrow(ConfigError);
    expect(bad("rpm_limit: 0")).toThrow(/keys\[0\]\.rpm_limit/);
    expect(bad("tpm_limit: 1.5")).toThrow(/keys\[0\]\.tpm_limit/);
    expect(bad("budget_usd: -1")).toThrow(/keys\[0\]\.budget_usd/);
    expect(bad("budget: 5")).toThrow(/keys\[0\]/);
  });
});
