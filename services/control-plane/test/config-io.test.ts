import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { compileConfig, loadConfigFile, parseConfig } from "@ai-router/config";
import { decryptSecret, parseMasterKey } from "@ai-router/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileDatabase } from "../src/compile/compile-db.js";
import { createPrisma, type PrismaClient } from "../src/db/client.js";
import { createTestDatabase, MASTER_KEY } from "./helpers.js";

const run = promisify(execFile);
const cli = fileURLToPath(new URL("../dist/config-io/cli.js", import.meta.url));
const routerYaml = fileURLToPath(new URL("../../../router.yaml", import.meta.url));
const secrets = { OPENAI_API_KEY: "sk-openai-import-1111", ARK_API_KEY: "ark-import-key-2222" };
let db: Awaited<ReturnType<typeof createTestDatabase>>;
let prisma: PrismaClient;
const dir = mkdtempSync(join(tmpdir(), "ai-router-export-"));
const env = () => ({ ...process.env, ...secrets, DATABASE_URL: db.url, ROUTER_MASTER_KEY: MASTER_KEY });

beforeAll(async () => {
  db = await createTestDatabase();
  prisma = createPrisma(db.url);
});
afterAll(async () => {
  await prisma?.$disconnect();
  await db?.drop();
  rmSync(dir, { recursive: true, force: true });
});

/** The parts of a table that must survive a round trip (not revisions, times or key ciphertexts). */
function routingOf(table: ReturnType<typeof compileConfig>["table"], open: (s: string) => string) {
  return {
    providers: table.providers.map((p) => ({ ...p, apiKeys: p.apiKeys.map(open) })),
    models: table.models.map(({ created: _c, ...m }) => m),
  };
}

// The CLI runs in its own processes (Prisma, migrations): slow when the machine is busy.
describe("config import/export", { timeout: 90_000 }, () => {
  it("imports the repository's router.yaml: the database compiles to the same routing as standalone mode", async () => {
    const { stdout } = await run(process.execPath, [cli, "import", routerYaml], { env: env() });
    const cfg = loadConfigFile(routerYaml, { ...process.env, ...secrets });
    expect(stdout).toContain(`providers ${cfg.providers.length} created/0 updated, models ${cfg.models.length} created/0 updated`);
    const standalone = compileConfig(loadConfigFile(routerYaml, { ...process.env, ...secrets })).table;
    const fromDb = (await compileDatabase(prisma, 1)).table;
    const key = parseMasterKey(MASTER_KEY);
    expect(fromDb.providers.flatMap((p) => p.apiKeys).every((k) => k.startsWith("enc:v1:"))).toBe(true);
    expect(routingOf(fromDb, (s) => decryptSecret(s, key))).toEqual(routingOf(standalone, (s) => s));
    const again = await run(process.execPath, [cli, "import", routerYaml], { env: env() });
    expect(again.stdout).toContain(`providers 0 created/${cfg.providers.length} updated, models 0 created/${cfg.models.length} updated`);
    // Re-importing replaces a provider's keys rather than piling them up.
    expect(await prisma.providerKey.count()).toBe(standalone.providers.reduce((n, p) => n + p.apiKeys.length, 0));
  });

  it("exports back to a router.yaml that standalone mode loads to the same routing", async () => {
    const out = join(dir, "exported.yaml");
    await run(process.execPath, [cli, "export", out, "--with-secrets"], { env: env() });
    const exported = compileConfig(parseConfig(readFileSync(out, "utf8"), out, {})).table;
    const original = compileConfig(loadConfigFile(routerYaml, { ...process.env, ...secrets })).table;
    expect(routingOf(exported, (s) => s)).toEqual(routingOf(original, (s) => s));
    const safe = join(dir, "safe.yaml");
    await run(process.execPath, [cli, "export", safe], { env: env() });
    const text = readFileSync(safe, "utf8");
    expect(text).not.toContain(secrets.OPENAI_API_KEY);
    expect(text).toContain("${OPENAI_MAIN_API_KEY}");
  });

  it("imports header values sealed and exports them only as references without --with-secrets", async () => {
    const { writeFileSync } = await import("node:fs");
    const withHeaders = join(dir, "headers.yaml");
    writeFileSync(
      withHeaders,
      "providers:\n  - { name: hdr-co, type: mock, headers: { X-Tenant-Token: hdr-secret-5555 } }\nmodels:\n  - { name: hdr-model, providers: [{ provider: hdr-co }] }\n",
    );
    await run(process.execPath, [cli, "import", withHeaders], { env: env() });
    const row = await prisma.provider.findUniqueOrThrow({ where: { name: "hdr-co" } });
    expect(JSON.stringify(row.headers)).not.toContain("hdr-secret-5555");
    expect(decryptSecret((row.headers as Record<string, string>)["X-Tenant-Token"]!, parseMasterKey(MASTER_KEY))).toBe("hdr-secret-5555");
    const safe = join(dir, "safe-headers.yaml");
    const r = await run(process.execPath, [cli, "export", safe], { env: env() });
    const text = readFileSync(safe, "utf8");
    expect(text).not.toContain("hdr-secret-5555");
    expect(text).not.toContain("enc:v1:");
    expect(text).toContain("${HDR_CO_HEADER_X_TENANT_TOKEN}");
    expect(r.stderr + r.stdout).toContain("HDR_CO_HEADER_X_TENANT_TOKEN");
    const full = join(dir, "full-headers.yaml");
    await run(process.execPath, [cli, "export", full, "--with-secrets"], { env: env() });
    expect(readFileSync(full, "utf8")).toContain("hdr-secret-5555");
  });

  it("imports a provider's transport (proxy URL sealed) and exports it back, the proxy URL only as a reference without --with-secrets", async () => {
    const { writeFileSync } = await import("node:fs");
    const file = join(dir, "transport.yaml");
    writeFileSync(
      file,
      [
        "providers:",
        "  - name: egress-co",
        "    type: openai-compatible",
        "    base_url: https://models.internal/v1",
        "    proxy_url: http://bob:prx-secret-7777@proxy.corp:3128",
        "    ca_file: /etc/ai-router/ca.pem",
        "    cert_file: /etc/ai-router/client.pem",
        "    key_file: /etc/ai-router/client.key",
        "    http2: on",
        "models:",
        "  - { name: egress-model, providers: [{ provider: egress-co }] }",
        "",
      ].join("\n"),
    );
    await run(process.execPath, [cli, "import", file], { env: env() });
    const row = await prisma.provider.findUniqueOrThrow({ where: { name: "egress-co" } });
    expect(row.proxyUrl).toMatch(/^enc:v1:/);
    expect(decryptSecret(row.proxyUrl!, parseMasterKey(MASTER_KEY))).toBe("http://bob:prx-secret-7777@proxy.corp:3128");
    const full = join(dir, "transport-full.yaml");
    await run(process.execPath, [cli, "export", full, "--with-secrets"], { env: env() });
    const exported = compileConfig(parseConfig(readFileSync(full, "utf8"), full, {})).table.providers.find((p) => p.name === "egress-co");
    expect(exported).toMatchObject({
      proxyUrl: "http://bob:prx-secret-7777@proxy.corp:3128",
      caFile: "/etc/ai-router/ca.pem",
      certFile: "/etc/ai-router/client.pem",
      keyFile: "/etc/ai-router/client.key",
      http2: "on",
    });
    const safe = join(dir, "transport-safe.yaml");
    const r = await run(process.execPath, [cli, "export", safe], { env: env() });
    const text = readFileSync(safe, "utf8");
    expect(text).not.toContain("prx-secret-7777");
    expect(text).toContain("proxy_url: ${EGRESS_CO_PROXY_URL}");
    expect(r.stderr + r.stdout).toContain("EGRESS_CO_PROXY_URL");
  });

  it("rejects an invalid file with the file, path and problem, importing nothing", async () => {
    const bad = join(dir, "bad.yaml");
    const { writeFileSync } = await import("node:fs");
    writeFileSync(bad, "providers: [{ name: x, type: nope }]\nmodels: []\n");
    const r = await run(process.execPath, [cli, "import", bad], { env: env() }).catch((e) => e as { code: number; stderr: string });
    expect((r as { code: number }).code).toBe(1);
    expect((r as { stderr: string }).stderr).toMatch(/bad\.yaml[\s\S]*providers\[0\]\.type/);
  });
});
