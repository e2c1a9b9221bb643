#!/usr/bin/env node
// Extracts the component schemas the conformance test validates against (and their $ref closure) from
// OpenAI's published OpenAPI document, into services/proxy/test/fixtures/openai-openapi.schemas.json.
// Run by hand when moving to a newer spec; the test never fetches anything:
//   node scripts/extract-openai-schemas.mjs <path to openai-openapi's openapi.json> <its commit>
import { readFileSync, writeFileSync } from "node:fs";

const [file, commit] = process.argv.slice(2);
if (!file || !/^[0-9a-f]{40}$/.test(commit ?? "")) {
  process.stderr.write("usage: extract-openai-schemas.mjs <openapi.json> <40-hex commit of github.com/openai/openai-openapi>\n");
  process.exit(2);
}
const ROOTS = [
  "CreateChatCompletionResponse",
  "CreateChatCompletionStreamResponse",
  "CreateEmbeddingResponse",
  "ImagesResponse",
  "ListModelsResponse",
  "Model",
  "ErrorResponse",
  "Response",
  "ResponseStreamEvent",
];
const spec = JSON.parse(readFileSync(file, "utf8"));
const all = spec.components.schemas;
const names = new Set();
const visit = (v) => {
  if (Array.isArray(v)) return v.forEach(visit);
  if (v === null || typeof v !== "object") return;
  for (const [k, x] of Object.entries(v)) {
    if (k === "$ref" && typeof x === "string") {
      const n = x.replace("#/components/schemas/", "");
      if (!names.has(n)) {
        names.add(n);
        visit(all[n]);
      }
    } else visit(x);
  }
};
for (const r of ROOTS) {
  names.add(r);
  visit(all[r]);
}
// Prose, examples and generator hints carry no constraint: left out to keep the fixture small.
const DROP = new Set(["description", "title", "example", "examples", "x-oaiMeta", "x-oaiTypeLabel", "x-oaiExpandable", "deprecated"]);
const strip = (v, inProperties = false) => {
  if (Array.isArray(v)) return v.map((x) => strip(x));
  if (v === null || typeof v !== "object") return v;
  const o = {};
  for (const [k, x] of Object.entries(v)) {
    if (!inProperties && (DROP.has(k) || k.startsWith("x-stainless"))) continue;
    o[k] = strip(x, k === "properties" || k === "patternProperties" || k === "$defs");
  }
  return o;
};
const schemas = {};
for (const n of [...names].sort()) schemas[n] = strip(all[n]);
const out = {
  source: {
    repository: "https://github.com/openai/openai-openapi",
    commit,
    file: "openapi.json",
    openapi: spec.openapi,
    version: spec.info?.version,
    extracted: `components.schemas: ${ROOTS.join(", ")} and their $ref closure; descriptions, examples and x-* hints removed`,
  },
  schemas,
};
writeFileSync(new URL("../services/proxy/test/fixtures/openai-openapi.schemas.json", import.meta.url), `${JSON.stringify(out, null, 1)}\n`);
process.stdout.write(`${names.size} schemas\n`);
