/**
 * `npm run config:import -- router.yaml` / `npm run config:export -- out.yaml [--with-secrets]`.
 * Reads DATABASE_URL and ROUTER_MASTER_KEY; applies pending migrations first. A running control plane
 * picks the change up on its next publish (or `POST /v1/stats/refresh`).
 */
import { writeFileSync } from "node:fs";
import { ConfigError, loadConfigFile } from "@ai-router/config";
import { parseMasterKey } from "@ai-router/contracts";
import { createPrisma } from "../db/client.js";
import { migrateDeploy } from "../db/migrate.js";
import { exportConfig } from "./export-config.js";
import { importConfig } from "./import-config.js";

const [cmd, file, ...flags] = process.argv.slice(2);
const usage = "usage: config-io import <router.yaml> | export <out.yaml|-> [--with-secrets]";
if ((cmd !== "import" && cmd !== "export") || !file) {
  process.stderr.write(`${usage}\n`);
  process.exit(2);
}
const databaseUrl = process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/ai_router";
let masterKey: Buffer;
try {
  masterKey = parseMasterKey(process.env.ROUTER_MASTER_KEY ?? "");
} catch (err) {
  process.stderr.write(`${(err as Error).message}\n`);
  process.exit(2);
}

await migrateDeploy(databaseUrl);
const prisma = createPrisma(databaseUrl);
try {
  if (cmd === "import") {
    const cfg = loadConfigFile(file);
    const s = await importConfig(prisma, cfg, masterKey);
    for (const w of s.warnings) process.stderr.write(`warning: ${w}\n`);
    process.stdout.write(
      `imported ${file}: providers ${s.providers.created} created/${s.providers.updated} updated, models ${s.models.created} created/${s.models.updated} updated, client keys ${s.keys.created} created/${s.keys.skipped} already present\n`,
    );
  } else {
    const { yaml, warnings } = await exportConfig(prisma, { withSecrets: flags.includes("--with-secrets"), masterKey });
    for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
    if (file === "-") process.stdout.write(yaml);
    else {
      writeFileSync(file, yaml, { mode: 0o600 });
      process.stdout.write(`exported to ${file}\n`);
    }
  }
} catch (err) {
  if (err instanceof ConfigError) process.stderr.write(`${err.message}\n`);
  else process.stderr.write(`config ${cmd} failed: ${(err as Error).message}\n`);
  process.exitCode = 1;
} finally {
  await prisma.$disconnect();
}
