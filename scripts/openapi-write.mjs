#!/usr/bin/env node
// Writes the committed API contracts, openapi/<api>.v<major>.json, from the built code (`npm run openapi:write`).
// A change that breaks the committed contract of the same major version is refused, naming each change:
// move the API's major version instead (its info.version), or pass --accept-breaking to correct a
// contract that documented something the code never did.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { breakingChanges, describeChanges, majorVersion } from "../libs/api-docs/dist/index.js";
import { adminOpenApi } from "../services/control-plane/dist/api/admin-api.js";
import { proxyOpenApi } from "../services/proxy/dist/docs/openapi.js";

const acceptBreaking = process.argv.includes("--accept-breaking");
// The contracts' folder (another one only in this script's own test).
const dir = new URL(process.env.OPENAPI_DIR ? `file://${resolve(process.env.OPENAPI_DIR)}/` : "../openapi/", import.meta.url);
const apis = { proxy: proxyOpenApi, admin: adminOpenApi };
let refused = 0;
for (const [name, generate] of Object.entries(apis)) {
  const doc = generate();
  const file = new URL(`${name}.v${majorVersion(doc)}.json`, dir);
  const text = `${JSON.stringify(doc, null, 2)}\n`;
  const shown = `openapi/${name}.v${majorVersion(doc)}.json`;
  if (existsSync(file)) {
    const committed = readFileSync(file, "utf8");
    if (committed === text) {
      console.log(`${shown}: unchanged`);
      continue;
    }
    const changes = breakingChanges(JSON.parse(committed), doc);
    if (changes.length > 0 && !acceptBreaking) {
      console.error(`${shown}: not written, these changes break the v${majorVersion(doc)} contract:\n${describeChanges(changes)}`);
      refused++;
      continue;
    }
  }
  writeFileSync(file, text);
  console.log(`${shown}: written`);
}
process.exit(refused > 0 ? 1 : 0);
