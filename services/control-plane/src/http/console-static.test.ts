import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import express from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CONSOLE_CSP, consoleRouter, defaultConsoleDir } from "./console-static.js";
import { docsRouter } from "./docs.js";

let base: string;
let dir: string;
let close: () => void;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "console-"));
  mkdirSync(join(dir, "assets"));
  writeFileSync(join(dir, "index.html"), '<!doctype html><script type="module" src="/ui/assets/app.js"></script>');
  writeFileSync(join(dir, "assets", "app.js"), "console.log(1)");
  const app = express();
  app.use(consoleRouter(dir));
  app.use(docsRouter());
  const server = app.listen(0, "127.0.0.1");
  await new Promise((r) => server.once("listening", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  close = () => server.close();
});
afterAll(() => {
  close();
  rmSync(dir, { recursive: true, force: true });
});

describe("console and docs pages", () => {
  it("every /ui/ answer carries the CSP, no framing, nosniff and a referrer policy", async () => {
    for (const path of ["/ui/", "/ui/usage", "/ui/assets/app.js", "/ui/assets/missing.js"]) {
      const r = await fetch(`${base}${path}`);
      expect(r.headers.get("content-security-policy"), path).toBe(CONSOLE_CSP);
      expect(r.headers.get("x-frame-options"), path).toBe("DENY");
      expect(r.headers.get("x-content-type-options"), path).toBe("nosniff");
      expect(r.headers.get("referrer-policy"), path).toBe("no-referrer");
    }
    expect(CONSOLE_CSP).toContain("frame-ancestors 'none'");
    expect(CONSOLE_CSP).toContain("script-src 'self'");
    expect(CONSOLE_CSP).not.toContain("unsafe");
  });

  it("the built console needs nothing the CSP forbids: no inline script, style or event handler", () => {
    const index = join(defaultConsoleDir, "index.html");
    if (!existsSync(index)) return; // not built in this checkout (the build runs before the suites that need it)
    const html = readFileSync(index, "utf8");
    for (const tag of html.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/g)) {
      expect(tag[0]).toMatch(/\bsrc="\/ui\/assets\//);
      expect(tag[1]!.trim()).toBe("");
    }
    expect(html).not.toMatch(/<style\b/);
    expect(html).not.toMatch(/\sstyle=/);
    expect(html).not.toMatch(/\son[a-z]+=/);
    expect(html).not.toMatch(/(src|href)="https?:/);
  });

  it("Swagger UI never persists a typed token, and cannot be framed", async () => {
    const init = await (await fetch(`${base}/docs/swagger-init.js`)).text();
    expect(init).toContain("persistAuthorization: false");
    expect(init).not.toContain("persistAuthorization: true");
    const page = await fetch(`${base}/docs`);
    expect(page.status).toBe(200);
    expect(page.headers.get("x-frame-options")).toBe("DENY");
    expect(page.headers.get("x-content-type-options")).toBe("nosniff");
  });
});
