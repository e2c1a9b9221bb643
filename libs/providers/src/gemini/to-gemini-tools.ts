import type { FunctionTool, ToolChoice } from "@ai-router/contracts";
import { RouterError } from "@ai-router/errors";
import type { GeminiFunctionDeclaration, GeminiToolConfig } from "./api.js";

/**
 * Keywords of Gemini's `Schema` (an OpenAPI 3.0 subset). Anything else in a JSON Schema
 * (`additionalProperties`, `$schema`, `$id`, `$defs`, `patternProperties`, `not`, ...) makes Gemini
 * answer 400 "Unknown name", so it is left out.
 */
const SCHEMA_KEYS = new Set([
  "type",
  "format",
  "title",
  "description",
  "nullable",
  "enum",
  "maxItems",
  "minItems",
  "properties",
  "required",
  "minProperties",
  "maxProperties",
  "minLength",
  "maxLength",
  "pattern",
  "example",
  "anyOf",
  "propertyOrdering",
  "default",
  "items",
  "minimum",
  "maximum",
]);

/** How deep `$ref`s are inlined before a recursive type is cut to a plain object. */
const MAX_REF_DEPTH = 8;

/**
 * Schema nodes one request's tools may expand to, `$ref`s inlined. Inlining repeats a definition at
 * every use, so a few hundred bytes of shared definitions can stand for millions of nodes; real tool
 * schemas stay in the hundreds. About a millisecond of work at most.
 */
export const MAX_SCHEMA_NODES = 10_000;
/** Nesting (properties, items, anyOf) beyond this is refused rather than recursed into. */
export const MAX_SCHEMA_NESTING = 64;

/** The work left for one request's schemas (shared by all its tools). */
export interface SchemaBudget {
  nodes: number;
  /** Where the schema is in the request, for the error's `param`. */
  param: string;
}
export const schemaBudget = (param = "tools"): SchemaBudget => ({ nodes: MAX_SCHEMA_NODES, param });

class SchemaTooLarge extends RouterError {
  constructor(budget: SchemaBudget, why: string) {
    super("invalid_request", `The JSON schema at ${budget.param} ${why}: simplify the schema or share fewer nested $ref definitions.`, {
      param: budget.param,
    });
  }
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * JSON Schema -> Gemini `Schema`: local `$ref`s inlined, `const` -> `enum`, `oneOf` -> `anyOf`,
 * `type: [T, "null"]` -> `type: T, nullable: true`, unsupported keywords removed, `required` limited
 * to declared properties. An object with empty `properties` loses the key (Gemini rejects it).
 */
export function toGeminiSchema(schema: Json, root: Json = schema, depth = 0, budget: SchemaBudget = schemaBudget(), nesting = 0): Json {
  if (--budget.nodes < 0) throw new SchemaTooLarge(budget, `expands to more than ${MAX_SCHEMA_NODES} nodes once its $refs are inlined`);
  if (nesting > MAX_SCHEMA_NESTING) throw new SchemaTooLarge(budget, `nests deeper than ${MAX_SCHEMA_NESTING} levels`);
  const inner = (x: Json) => toGeminiSchema(x, root, depth, budget, nesting + 1);
  let s = schema;
  if (typeof s.$ref === "string") {
    const target = depth < MAX_REF_DEPTH ? resolveRef(root, s.$ref) : undefined;
    if (!target) return { type: "object", ...(typeof s.description === "string" ? { description: s.description } : {}) };
    const { $ref: _, ...rest } = s;
    s = Object.assign({}, target, rest);
    depth++;
  }
  const out: Json = {};
  for (const [k, v] of Object.entries(s)) {
    if (k === "const") out.enum = [v];
    else if (k === "oneOf") out.anyOf = v;
    else if (k === "examples" && Array.isArray(v) && v.length > 0 && out.example === undefined) out.example = v[0];
    else if (SCHEMA_KEYS.has(k)) out[k] = v;
  }
  if (Array.isArray(out.type)) {
    const types = (out.type as unknown[]).filter((t) => t !== "null");
    if (types.length < (out.type as unknown[]).length) out.nullable = true;
    if (types.length === 1) out.type = types[0];
    else {
      delete out.type;
      out.anyOf = types.map((t) => ({ type: t }));
    }
  }
  if (isObject(out.properties)) {
    const props: Json = {};
    for (const [name, p] of Object.entries(out.properties)) props[name] = isObject(p) ? inner(p) : p;
    if (Object.keys(props).length === 0) delete out.properties;
    else out.properties = props;
  }
  if (Array.isArray(out.required)) {
    const declared = isObject(out.properties) ? out.properties : {};
    const required = (out.required as unknown[]).filter((r) => typeof r === "string" && r in declared);
    if (required.length > 0) out.required = required;
    else delete out.required;
  }
  if (isObject(out.items)) out.items = inner(out.items);
  if (Array.isArray(out.anyOf)) out.anyOf = out.anyOf.map((x) => (isObject(x) ? inner(x) : x));
  return out;
}

function resolveRef(root: Json, ref: string): Json | undefined {
  const m = /^#\/(\$defs|definitions)\/(.+)$/.exec(ref);
  if (!m) return undefined;
  const defs = root[m[1] as string];
  const found = isObject(defs) ? defs[(m[2] as string).replace(/~1/g, "/").replace(/~0/g, "~")] : undefined;
  return isObject(found) ? found : undefined;
}

/** OpenAI function tools -> Gemini `functionDeclarations` (other tool kinds are reported as dropped). */
export function toGeminiFunctionDeclarations(tools: readonly FunctionTool[], dropped: string[]): GeminiFunctionDeclaration[] {
  const out: GeminiFunctionDeclaration[] = [];
  const budget = schemaBudget();
  for (const [i, t] of tools.entries()) {
    if (t.type !== "function") {
      dropped.push(`tools.${String(t.type)}`);
      continue;
    }
    const f = t.function;
    const decl: GeminiFunctionDeclaration = { name: f.name };
    if (f.description) decl.description = f.description;
    if (f.parameters) {
      budget.param = `tools[${i}].function.parameters`;
      const params = toGeminiSchema(f.parameters, f.parameters, 0, budget);
      // A function without arguments is declared without `parameters`: Gemini refuses an empty object.
      if (params.properties !== undefined || params.type !== "object") decl.parameters = params;
    }
    out.push(decl);
  }
  return out;
}

/** OpenAI `tool_choice` -> Gemini `toolConfig.functionCallingConfig` (undefined: Gemini's default, AUTO). */
export function toGeminiToolConfig(choice: ToolChoice | undefined): GeminiToolConfig | undefined {
  if (choice === undefined) return undefined;
  if (choice === "none") return { functionCallingConfig: { mode: "NONE" } };
  if (choice === "auto") return { functionCallingConfig: { mode: "AUTO" } };
  if (choice === "required") return { functionCallingConfig: { mode: "ANY" } };
  return { functionCallingConfig: { mode: "ANY", allowedFunctionNames: [choice.function.name] } };
}
