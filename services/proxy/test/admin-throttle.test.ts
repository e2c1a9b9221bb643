import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { waitFor } from "@ai-router/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ProxyProcess, spawnProxy } from "./harness.js";

/** Issue 27, finding 9: the standalone admin token cannot be guessed at full speed. */
const TOKEN = "standalone-admin-token-0123";
let dir: string;
let p: ProxyProcess;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "admin-throttle-"));
  const file = join(dir, "router.yaml");
  writeFileSync(
    file,
    `server: { admin_token: ${TOKEN} }\nproviders: [{ name: demo, type: mock }]\nmodels: [{ name: a, providers: [{ provider: demo }] }]\n`,
  );
  p = await spawnProxy({ ROUTER_CONFIG: file, LOG_LEVEL: "info" });
});
afterAll(async () => {
  await p?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const reset = (token: string) => fetch(`${p.url}/v1/stats/reset`, { method: "POST", headers: { authorization: `Bearer ${token}` } });

describe("standalone admin logins (process)", () => {
  it("wrong tokens are logged per address without the token, then refused with 429 and Retry-After, the right token too", async () => {
    expect((await reset(TOKEN)).status).toBe(200);
    for (let i = 0; i < 10; i++) expect((await reset(`guess-number-${i}`)).status).toBe(401);
    const refused = await reset(TOKEN);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(50);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("too_many_failed_logins");
    // The log lines reach us through the child's stdout pipe: wait until the last of them has arrived.
    const out = await waitFor(async () => {
      const text = p.output();
      return text.includes("admin logins throttled") && text.match(/admin login failed: wrong token/g)?.length === 10 ? text : undefined;
    });
    expect(out.match(/admin login failed: wrong token/g)).toHaveLength(10);
    expect(out).toContain("admin logins throttled");
    expect(out).toContain('"source":"127.0.0.1"');
    expect(out).not.toContain("guess-number");
    expect(out).not.toContain(TOKEN);
  });
});
