import { execFile } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("..", import.meta.url));
const run = promisify(execFile);
let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Runs `npm run openapi:write`'s script (on the built code) against a copy of the committed contracts. */
async function write(edit: (admin: any) => void, ...args: string[]) {
  dir = mkdtempSync(join(tmpdir(), "openapi-"));
  cpSync(join(root, "openapi"), dir, { recursive: true });
  const file = join(dir, "admin.v1.json");
  const doc = JSON.parse(readFileSync(file, "utf8"));
  edit(doc);
  writeFileSync(file, JSON.stringify(doc));
  const r = await run(process.execPath, ["scripts/openapi-write.mjs", ...args], {
    cwd: root,
    env: { ...process.env, OPENAPI_DIR: dir },
  }).then(
    (ok) => ({ code: 0, ...ok }),
    (err: { code: number; stdout: string; stderr: string }) => err,
  );
  return { ...r, written: JSON.parse(readFileSync(file, "utf8")) };
}

describe("npm run openapi:write", () => {
  it("rewrites a contract the code changed compatibly, and leaves an unchanged one alone", async () => {
    const r = await write((d) => (d.paths["/v1/db/models"].get.summary = "an older summary"));
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("openapi/admin.v1.json: written");
    expect(r.stdout).toContain("openapi/proxy.v1.json: unchanged");
    expect(r.written.paths["/v1/db/models"].get.summary).not.toBe("an older summary");
  });

  it("refuses to overwrite a contract the code breaks, naming the change, unless told to", async () => {
    // The committed contract promised a path the code does not serve: writing would drop it.
    const promise = (d: any) => (d.paths["/v1/db/promised"] = { get: { responses: { 200: { description: "ok" } } } });
    const refused = await write(promise);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("path-removed: /v1/db/promised");
    expect(refused.written.paths["/v1/db/promised"]).toBeDefined();
    const forced = await write(promise, "--accept-breaking");
    expect(forced.code).toBe(0);
    expect(forced.written.paths["/v1/db/promised"]).toBeUndefined();
  });
});
