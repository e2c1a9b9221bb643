import type { AddressInfo } from "node:net";
import { createLogger } from "@ai-router/logger";
import express from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminAuth } from "./admin-auth.js";
import { errorHandler } from "./errors.js";

const TOKEN = "admin-token-0123456789abcdef";
const lines: Record<string, unknown>[] = [];
const logger = createLogger({ name: "admin-auth-test", destination: { write: (l: string) => void lines.push(JSON.parse(l)) } });
let base: string;
let close: () => void;

beforeAll(async () => {
  const app = express();
  app.use(adminAuth(TOKEN, { logger, throttle: { maxFailures: 5, windowMs: 60_000 } }));
  app.get("/v1/db/x", (_req, res) => void res.json({ ok: true }));
  app.get("/health", (_req, res) => void res.json({ ok: true }));
  app.use(errorHandler(logger));
  const server = app.listen(0, "127.0.0.1");
  await new Promise((r) => server.once("listening", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  close = () => server.close();
});
afterAll(() => close());

const get = (token: string | undefined, headers: Record<string, string> = {}) =>
  fetch(`${base}/v1/db/x`, { headers: { ...(token === undefined ? {} : { authorization: `Bearer ${token}` }), ...headers } });

describe("admin auth", () => {
  it("wrong tokens are logged per address (never the token) and throttled: 429 with Retry-After, even for the right token", async () => {
    expect((await get(TOKEN)).status).toBe(200);
    expect((await get(undefined)).status).toBe(401); // no token: not a failed login
    const xff = { "x-forwarded-for": "198.51.100.1" };
    for (let i = 0; i < 5; i++) {
      const r = await get(`wrong-guess-${i}`, xff);
      expect(r.status).toBe(401);
      expect(((await r.json()) as { error: { code: string } }).error.code).toBe("invalid_admin_token");
    }
    const refused = await get(TOKEN, xff);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(55);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("too_many_failed_logins");
    // Another client behind the same front proxy is not refused; the direct peer neither.
    expect((await get(TOKEN, { "x-forwarded-for": "198.51.100.2" })).status).toBe(200);
    expect((await get(TOKEN)).status).toBe(200);
    const failed = lines.filter((l) => l.msg === "admin login failed: wrong token");
    expect(failed).toHaveLength(5);
    expect(failed[0]).toMatchObject({ level: 40, source: "127.0.0.1>198.51.100.1", path: "/v1/db/x" });
    expect(lines.some((l) => l.msg === "admin logins throttled")).toBe(true);
    expect(JSON.stringify(lines)).not.toContain("wrong-guess");
    expect(JSON.stringify(lines)).not.toContain(TOKEN);
    // Public paths never count or refuse.
    expect((await fetch(`${base}/health`, { headers: xff })).status).toBe(200);
  });

  it("a client forging x-forwarded-for is still held by its peer's own (higher) limit", async () => {
    let refusedAt = -1;
    for (let i = 0; i < 60; i++) {
      const r = await get("wrong", { "x-forwarded-for": `192.0.2.${i}` });
      if (r.status === 429) {
        refusedAt = i;
        break;
      }
      expect(r.status).toBe(401);
    }
    // 5 x 10 failures from one peer (5 of them in the first test through another forwarded address).
    expect(refusedAt).toBe(45);
    expect((await get(TOKEN)).status).toBe(200);
    expect((await get(TOKEN, { "x-forwarded-for": "192.0.2.200" })).status).toBe(429);
  });
});
