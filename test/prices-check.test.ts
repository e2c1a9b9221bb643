import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase } from "../services/control-plane/test/helpers.js";

const run = promisify(execFile);
const script = fileURLToPath(new URL("../scripts/prices-check.mjs", import.meta.url));
const root = fileURLToPath(new URL("..", import.meta.url));

async function check(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; out: string }> {
  try {
    const r = await run(process.execPath, [script, ...args], { cwd: root, env: Object.assign({ PATH: process.env.PATH }, env) });
    return { code: 0, out: r.stdout + r.stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout + e.stderr };
  }
}

describe("npm run prices:check", () => {
  let dir: string;
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "prices-"));
    writeFileSync(
      join(dir, "router.yaml"),
      `providers:
  - { name: oa, type: openai, api_key: sk-x }
  - { name: local, type: openai-compatible, base_url: "http://127.0.0.1:1/v1" }
models:
  - name: gpt-4o
    providers: [{ provider: oa }]
  - name: mine
    providers: [{ provider: local, model: my-finetune }]
  - name: priced-mine
    providers: [{ provider: local, model: other, price: { input_per_mtok: 1, output_per_mtok: 1 } }]
`,
    );
    db = await createTestDatabase();
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    await c.query(
      `INSERT INTO providers (name, adapter, updated_at) VALUES ('ds', 'openai-compatible', now()), ('ark', 'volcengine', now())`,
    );
    await c.query(`INSERT INTO models (name, updated_at) VALUES ('deepseek-chat', now()), ('doubao', now())`);
    await c.query(`INSERT INTO model_providers (model_id, provider_id, upstream_model, updated_at)
      SELECT m.id, p.id, CASE WHEN m.name = 'doubao' THEN 'ep-2025-x' ELSE NULL END, now()
        FROM models m JOIN providers p ON (m.name = 'deepseek-chat' AND p.name = 'ds') OR (m.name = 'doubao' AND p.name = 'ark')`);
    await c.end();
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await db?.drop();
  });

  it("names the router.yaml models without a price, and fails only with --strict", async () => {
    const file = join(dir, "router.yaml");
    const r = await check([file], {});
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/bundled price list of \d{4}-\d{2}-\d{2}/);
    expect(r.out).toContain("3 links, 1 priced by their own price, 1 by the bundled list, 1 unpriced");
    expect(r.out).toContain('unpriced: model "mine" on provider "local" (openai-compatible, upstream model "my-finetune")');
    expect(r.out).not.toContain('model "gpt-4o" on');
    expect((await check(["--strict", file], {})).code).toBe(1);
  });

  it("checks the database's links too when DATABASE_URL is set", async () => {
    const r = await check([join(dir, "missing.yaml")], { DATABASE_URL: db.url, ROUTER_CONFIG: join(dir, "none.yaml") });
    // An explicit file that does not exist is an error, not a silent pass.
    expect(r.code).toBe(2);
    const ok = await check([], { DATABASE_URL: db.url, ROUTER_CONFIG: join(dir, "none.yaml") });
    expect(ok.code).toBe(0);
    expect(ok.out).toContain("database: 2 links, 0 priced by their own price, 1 by the bundled list, 1 unpriced");
    expect(ok.out).toContain('unpriced: model "doubao" on provider "ark" (volcengine, upstream model "ep-2025-x")');
  });

  it("says when there is nothing to check", async () => {
    const r = await check([], { ROUTER_CONFIG: join(dir, "none.yaml") });
    expect(r.code).toBe(2);
    expect(r.out).toContain("nothing to check");
  });
});
