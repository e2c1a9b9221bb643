import { RECORD_NAME_MAX, type UsageRecord } from "@ai-router/contracts";
import { type MockUpstream, startMockUpstream, waitFor } from "@ai-router/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UsageRecordJson } from "../src/record/record-json.js";
import { openAIConfig, startTestProxy, type TestProxy } from "./harness.js";

/**
 * Issue 27, finding 1: what a client names goes into its usage record cleaned and bounded, so a record
 * can always be stored (Postgres refuses NUL and lone surrogates; a 1.2 MB name overflowed NATS).
 */
let up: MockUpstream;
let proxy: TestProxy;
const records: UsageRecord[] = [];
/** The JSON text the sinks write of each record (NATS batches, the usage_log file), by record id. */
const texts = new Map<string, string>();
const json = new UsageRecordJson();

beforeAll(async () => {
  up = await startMockUpstream();
  proxy = await startTestProxy(
    openAIConfig([up.baseUrl]),
    {},
    {
      proxy: () => ({
        replica: "r1",
        usageSink: {
          write: (r) => {
            const text = json.of(r);
            texts.set(r.recordId, text);
            records.push(JSON.parse(text) as UsageRecord);
          },
        },
      }),
    },
  );
});
afterAll(async () => {
  await proxy?.close();
  await up?.close();
});

/** Sends `body` (text, so lone surrogates travel as JSON escapes) and returns the status, the error and the record. */
async function send(path: string, body: string): Promise<{ status: number; error: Record<string, unknown>; record: UsageRecord }> {
  const r = await fetch(`${proxy.url}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body });
  const text = await r.text();
  const id = r.headers.get("x-request-id");
  await waitFor(() => records.some((x) => x.id === id));
  return { status: r.status, error: JSON.parse(text).error ?? {}, record: records.find((x) => x.id === id)! };
}
const chatBody = (model: string) => JSON.stringify({ model, messages: [{ role: "user", content: "hi" }] });
/** What Postgres's jsonb refuses, or a name past the bound. */
const unsafe = (s: string | null) =>
  s !== null &&
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this looks for
  (s.length > RECORD_NAME_MAX || /[\u0000-\u001f]/.test(s) || !/^(?:[^\ud800-\udfff]|[\ud800-\udbff][\udc00-\udfff])*$/.test(s));

describe("client-controlled text in usage records", () => {
  it("a NUL or a lone surrogate in the model name: the client's 404, a record with U+FFFD in its place", async () => {
    const nul = await send("/v1/chat/completions", chatBody("x\u0000y"));
    expect([nul.status, nul.error.code]).toEqual([404, "model_not_found"]);
    expect(nul.record.model).toBe("x\ufffdy");
    const lone = await send("/v1/chat/completions", chatBody("\ud800"));
    expect(lone.status).toBe(404);
    expect(lone.record.model).toBe("\ufffd");
    // Anthropic's ingress and a body that fails validation take the same path.
    const anth = await send("/v1/messages", JSON.stringify({ model: "a\u0000\udc00", max_tokens: 5, messages: [] }));
    expect(anth.status).toBeGreaterThanOrEqual(400);
    expect(anth.status).toBeLessThan(500);
    expect(anth.record.model).toBe("a\ufffd\ufffd");
    // The record's JSON (what goes to NATS and the usage_log file) holds no \u0000 escape and no lone surrogate.
    for (const r of [nul, lone, anth]) {
      const text = texts.get(r.record.id) as string;
      expect(text).not.toMatch(/\\u0000|\\ud[89a-f]/i);
      expect(Buffer.from(text, "utf8").toString("utf8")).toBe(text);
    }
  });

  it("a 1.2 MB model name: a 404 that does not echo it, a record with the name cut to the bound", async () => {
    const huge = `m${"\u0000x".repeat(600_000)}`;
    const r = await send("/v1/chat/completions", chatBody(huge));
    expect([r.status, r.error.code, r.error.param]).toEqual([404, "model_not_found", "model"]);
    expect(String(r.error.message).length).toBeLessThan(200);
    expect(r.record.model).toHaveLength(RECORD_NAME_MAX);
    expect(unsafe(r.record.model)).toBe(false);
    // Gemini names the model in the path.
    const g = await send(
      `/v1beta/models/${encodeURIComponent(`g\u0000${"z".repeat(5000)}`)}:generateContent`,
      JSON.stringify({ contents: [] }),
    );
    expect(g.status).toBeGreaterThanOrEqual(400);
    expect(g.status).toBeLessThan(500);
    expect(unsafe(g.record.model)).toBe(false);
    expect(g.record.model?.startsWith("g\ufffdzzz")).toBe(true);
  });

  it("an upstream's own error code is cleaned and bounded too (record and failover chain)", async () => {
    up.behavior.next({ status: 400, errorCode: `bad\u0000code${"!".repeat(10_000)}` });
    const r = await send("/v1/chat/completions", chatBody("gpt-4o"));
    expect(r.status).toBe(400);
    expect(unsafe(r.record.error_code)).toBe(false);
    expect(r.record.error_code?.startsWith("bad\ufffdcode")).toBe(true);
    for (const a of r.record.attempts) expect(unsafe(a.error_code)).toBe(false);
  });
});
