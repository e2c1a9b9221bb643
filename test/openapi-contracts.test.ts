import { existsSync, readFileSync } from "node:fs";
import { isDeepStrictEqual } from "node:util";
import { breakingChanges, describeChanges, majorVersion } from "@ai-router/api-docs";
import { describe, expect, it } from "vitest";
import { adminOpenApi } from "../services/control-plane/src/api/admin-api.js";
import { proxyOpenApi } from "../services/proxy/src/docs/openapi.js";

/** The same list as scripts/openapi-write.mjs, which writes these files from the built code. */
const apis: Record<string, () => Record<string, unknown>> = { proxy: proxyOpenApi, admin: adminOpenApi };

/** JSON pointers where two documents differ (the first few), to say what to look at. */
function differences(a: unknown, b: unknown, at = "", out: string[] = []): string[] {
  if (out.length >= 8 || isDeepStrictEqual(a, b)) return out;
  if (typeof a === "object" && a !== null && typeof b === "object" && b !== null && Array.isArray(a) === Array.isArray(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys)
      differences((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${at}/${k.replaceAll("/", "~1")}`, out);
  } else out.push(at || "/");
  return out;
}

describe("committed API contracts (openapi/<api>.v<major>.json)", () => {
  for (const [name, generate] of Object.entries(apis))
    it(`${name}: the code's document keeps its major version's committed contract, and the file is current`, () => {
      const doc: unknown = JSON.parse(JSON.stringify(generate()));
      const major = majorVersion(doc);
      const file = new URL(`../openapi/${name}.v${major}.json`, import.meta.url);
      const shown = `openapi/${name}.v${major}.json`;
      expect(existsSync(file), `${shown} is missing: run \`npm run openapi:write\` and commit it`).toBe(true);
      const committed: unknown = JSON.parse(readFileSync(file, "utf8"));
      const breaking = breakingChanges(committed, doc);
      expect(
        breaking,
        `these changes break the committed v${major} contract (${shown}); keep the old behaviour, or move the API's major version (info.version) to ${major + 1}:\n${describeChanges(breaking)}`,
      ).toEqual([]);
      const changed = differences(committed, doc);
      expect(
        changed,
        `${shown} is out of date (compatible changes at ${changed.join(", ")}): run \`npm run openapi:write\` and commit it`,
      ).toEqual([]);
    });
});
