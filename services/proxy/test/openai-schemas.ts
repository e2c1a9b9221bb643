import { readFileSync } from "node:fs";
import Ajv2020, { type ErrorObject, type ValidateFunction } from "ajv/dist/2020.js";

/**
 * OpenAI's published schemas (the fixture's `source` names the openai-openapi commit they come from),
 * compiled with Ajv for JSON Schema 2020-12. The document mixes OpenAPI 3.0's `nullable: true` into
 * its 3.1 schemas; it is read as `anyOf: [schema, {type: "null"}]`, which is what it means.
 */
const fixture = JSON.parse(readFileSync(new URL("./fixtures/openai-openapi.schemas.json", import.meta.url), "utf8")) as {
  source: { commit: string };
  schemas: Record<string, unknown>;
};

function withoutNullable(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(withoutNullable);
  if (v === null || typeof v !== "object") return v;
  const o: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v))
    if (k !== "nullable") o[k] = k === "properties" ? mapValues(x, withoutNullable) : withoutNullable(x);
  return (v as { nullable?: unknown }).nullable === true ? { anyOf: [o, { type: "null" }] } : o;
}
const mapValues = (v: unknown, f: (x: unknown) => unknown) =>
  v !== null && typeof v === "object" ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, f(x)])) : v;

const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
ajv.addSchema({ $id: "openai", components: { schemas: mapValues(fixture.schemas, withoutNullable) } });

export const OPENAI_SPEC_COMMIT = fixture.source.commit;

const compiled = new Map<string, ValidateFunction>();
function validator(name: string): ValidateFunction {
  let v = compiled.get(name);
  if (v === undefined) {
    if (!(name in fixture.schemas)) throw new Error(`schema ${name} is not in the fixture`);
    v = ajv.getSchema(`openai#/components/schemas/${name}`);
    if (v === undefined) throw new Error(`schema ${name} did not compile`);
    compiled.set(name, v);
  }
  return v;
}

const describe = (e: ErrorObject) => `${e.instancePath || "/"} ${e.message ?? e.keyword} ${JSON.stringify(e.params)}`;

/**
 * The ways `value` breaks the named component schema (empty when it conforms). For a union (`anyOf`),
 * Ajv reports every branch; the messages name the paths.
 */
export function violations(name: string, value: unknown): string[] {
  const v = validator(name);
  return v(value) ? [] : (v.errors ?? []).slice(0, 8).map(describe);
}

/** Responses stream event type -> the schema of that event (from the `ResponseStreamEvent` union). */
export const responseEventSchemas: ReadonlyMap<string, string> = (() => {
  const union = fixture.schemas.ResponseStreamEvent as { anyOf: { $ref: string }[] };
  const out = new Map<string, string>();
  for (const { $ref } of union.anyOf) {
    const name = $ref.replace("#/components/schemas/", "");
    const type = (fixture.schemas[name] as { properties?: { type?: { enum?: string[] } } }).properties?.type?.enum?.[0];
    if (type) out.set(type, name);
  }
  return out;
})();
