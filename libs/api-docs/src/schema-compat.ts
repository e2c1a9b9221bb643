/** One change that breaks clients written against the earlier document. */
export interface BreakingChange {
  kind: BreakingKind;
  /** Where: `POST /v1/db/models request body .provider_weight`. */
  where: string;
  detail: string;
}

export type BreakingKind =
  | "path-removed"
  | "method-removed"
  | "parameter-removed"
  | "parameter-made-required"
  | "request-body-made-required"
  | "media-type-removed"
  | "response-removed"
  | "response-field-removed"
  | "response-field-made-optional"
  | "request-field-removed"
  | "field-made-required"
  | "required-field-added"
  | "type-narrowed"
  | "type-widened"
  | "enum-value-removed"
  | "constraint-tightened";

/**
 * `request`: what clients send (the new schema must accept all the old one did);
 * `response`: what clients read (the new schema must promise all the old one did).
 */
export type Side = "request" | "response";

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** Follows a local `$ref` (`#/...`) in the schema's own root first, then in the whole document. */
export function resolveRef(s: unknown, roots: unknown[]): unknown {
  for (let i = 0; i < 32 && isObj(s) && typeof s.$ref === "string" && s.$ref.startsWith("#/"); i++) {
    const parts = s.$ref
      .slice(2)
      .split("/")
      .map((p) => p.replaceAll("~1", "/").replaceAll("~0", "~"));
    let found: unknown;
    for (const root of roots) {
      let cur: unknown = root;
      for (const p of parts) cur = isObj(cur) ? cur[p] : undefined;
      if (cur !== undefined) {
        found = cur;
        break;
      }
    }
    if (found === undefined) return {};
    s = found;
  }
  return s;
}

interface Walk {
  side: Side;
  before: unknown[];
  after: unknown[];
  out: BreakingChange[];
  depth: number;
  /** `$ref` pairs already compared: a recursive schema is walked once, a shared definition reported once. */
  seen: Set<string>;
}

/** A schema's alternatives: anyOf/oneOf flattened; allOf members merged into one object. */
function variants(s: unknown, roots: unknown[]): Json[] {
  const r = resolveRef(s, roots);
  if (r === true || r === undefined) return [{}];
  if (!isObj(r)) return [];
  const alts = (Array.isArray(r.anyOf) ? r.anyOf : []).concat(Array.isArray(r.oneOf) ? r.oneOf : []);
  if (alts.length > 0) return alts.flatMap((a) => variants(a, roots));
  if (Array.isArray(r.allOf)) {
    const merged: Json = { type: "object", properties: {}, required: [] };
    for (const m of r.allOf.flatMap((a) => variants(a, roots))) {
      Object.assign(merged.properties as Json, isObj(m.properties) ? m.properties : {});
      (merged.required as unknown[]).push(...(Array.isArray(m.required) ? m.required : []));
    }
    return [merged];
  }
  return [r];
}

const jsonType = (v: unknown) => (v === null ? "null" : Array.isArray(v) ? "array" : typeof v === "number" ? "number" : typeof v);

/** The JSON types a schema allows, or "any". */
function typesOf(vs: Json[]): Set<string> | "any" {
  const out = new Set<string>();
  for (const v of vs) {
    if (v.const !== undefined) out.add(jsonType(v.const));
    else if (Array.isArray(v.enum)) for (const e of v.enum) out.add(jsonType(e));
    else if (typeof v.type === "string") out.add(v.type);
    else if (Array.isArray(v.type)) for (const t of v.type) out.add(String(t));
    else if (isObj(v.properties)) out.add("object");
    else if (v.items !== undefined) out.add("array");
    else return "any";
  }
  return out;
}

/** Types in `a` that `b` does not allow (an integer is a number). */
function missingTypes(a: Set<string> | "any", b: Set<string> | "any"): string[] {
  if (b === "any") return [];
  if (a === "any") return ["any"];
  return [...a].filter((t) => !b.has(t) && !(t === "integer" && b.has("number")));
}

/** The values a schema allows when it lists them all (const/enum, plus null), else undefined. */
function valuesOf(vs: Json[]): Set<string> | undefined {
  const out = new Set<string>();
  for (const v of vs) {
    if (v.const !== undefined) out.add(JSON.stringify(v.const));
    else if (Array.isArray(v.enum)) for (const e of v.enum) out.add(JSON.stringify(e));
    else if (v.type === "null") out.add("null");
    else return undefined;
  }
  return out;
}

const isObjectVariant = (v: Json) => v.type === "object" || isObj(v.properties);
/** Pairs union members across versions by their constant-valued properties (`type: "text"`). */
const signature = (v: Json) =>
  JSON.stringify(
    Object.entries(isObj(v.properties) ? v.properties : {})
      .filter(([, p]) => isObj(p) && p.const !== undefined)
      .map(([k, p]) => [k, (p as Json).const])
      .sort(),
  );

const BOUNDS: [keyof Json, "min" | "max"][] = [
  ["minLength", "min"],
  ["maxLength", "max"],
  ["minimum", "min"],
  ["maximum", "max"],
  ["exclusiveMinimum", "min"],
  ["exclusiveMaximum", "max"],
  ["minItems", "min"],
  ["maxItems", "max"],
  ["minProperties", "min"],
  ["maxProperties", "max"],
];

function compareBounds(b: Json, a: Json, where: string, w: Walk): void {
  for (const [key, dir] of BOUNDS) {
    const was = typeof b[key] === "number" ? (b[key] as number) : undefined;
    const now = typeof a[key] === "number" ? (a[key] as number) : undefined;
    if (now === undefined || (was !== undefined && (dir === "min" ? now <= was : now >= was))) continue;
    w.out.push({ kind: "constraint-tightened", where, detail: `${String(key)} ${was ?? "(none)"} -> ${now}` });
  }
  if (typeof a.pattern === "string" && a.pattern !== b.pattern)
    w.out.push({ kind: "constraint-tightened", where, detail: `pattern ${String(b.pattern ?? "(none)")} -> ${a.pattern}` });
}

function compareObjects(b: Json, a: Json, where: string, w: Walk): void {
  const bp = isObj(b.properties) ? b.properties : {};
  const ap = isObj(a.properties) ? a.properties : {};
  const breq = new Set(Array.isArray(b.required) ? b.required.map(String) : []);
  const areq = new Set(Array.isArray(a.required) ? a.required.map(String) : []);
  for (const name of Object.keys(bp)) {
    const at = `${where}.${name}`;
    if (!(name in ap)) {
      w.out.push({ kind: w.side === "request" ? "request-field-removed" : "response-field-removed", where: at, detail: "field removed" });
      continue;
    }
    if (w.side === "response" && breq.has(name) && !areq.has(name))
      w.out.push({ kind: "response-field-made-optional", where: at, detail: "was always present, now optional" });
    compareSchemas(bp[name], ap[name], at, w);
  }
  if (w.side === "request") {
    for (const name of areq)
      if (!breq.has(name))
        w.out.push(
          name in bp
            ? { kind: "field-made-required", where: `${where}.${name}`, detail: "optional field is now required" }
            : { kind: "required-field-added", where: `${where}.${name}`, detail: "new field is required" },
        );
    if (b.additionalProperties !== false && a.additionalProperties === false)
      w.out.push({ kind: "constraint-tightened", where, detail: "unknown fields are now refused" });
  }
}

/** Compares one schema across two versions and records what breaks clients on `w.side`. */
export function compareSchemas(before: unknown, after: unknown, where: string, w: Walk): void {
  if (w.depth > 64) return;
  const refOf = (x: unknown) => (isObj(x) && typeof x.$ref === "string" ? x.$ref : "");
  if (refOf(before) || refOf(after)) {
    const pair = `${refOf(before)} ${refOf(after)}`;
    if (w.seen.has(pair)) return;
    w.seen.add(pair);
  }
  const inner: Walk = { ...w, depth: w.depth + 1 };
  const bv = variants(before, w.before);
  const av = variants(after, w.after);
  const [bt, at] = [typesOf(bv), typesOf(av)];
  const lost = w.side === "request" ? missingTypes(bt, at) : missingTypes(at, bt);
  if (lost.length > 0)
    w.out.push(
      w.side === "request"
        ? { kind: "type-narrowed", where, detail: `no longer accepts ${lost.join(", ")}` }
        : { kind: "type-widened", where, detail: `may now return ${lost.join(", ")}` },
    );
  const [bvals, avals] = [valuesOf(bv), valuesOf(av)];
  if (w.side === "request" && bvals && avals) {
    const gone = [...bvals].filter((v) => !avals.has(v));
    if (gone.length > 0) w.out.push({ kind: "enum-value-removed", where, detail: `no longer accepts ${gone.join(", ")}` });
  }
  // Primitive alternatives, paired by type: their bounds (request side only: a response may always say less).
  if (w.side === "request")
    for (const b of bv) {
      if (isObjectVariant(b) || typeof b.type !== "string") continue;
      const a = av.find((x) => x.type === b.type || (b.type === "integer" && x.type === "number"));
      if (a) compareBounds(b, a, where, inner);
    }
  const bo = bv.filter(isObjectVariant);
  const ao = av.filter(isObjectVariant);
  if (bo.length === 1 && ao.length === 1) compareObjects(bo[0] as Json, ao[0] as Json, where, inner);
  else
    for (const b of bo) {
      const a = ao.find((x) => signature(x) === signature(b));
      if (a) compareObjects(b, a, `${where}${signature(b) === "[]" ? "" : ` ${signature(b)}`}`, inner);
      else if (w.side === "request") w.out.push({ kind: "type-narrowed", where, detail: `object ${signature(b)} no longer accepted` });
    }
  const bi = bv.find((v) => v.type === "array" || v.items !== undefined);
  const ai = av.find((v) => v.type === "array" || v.items !== undefined);
  if (bi && ai) compareSchemas(bi.items ?? {}, ai.items ?? {}, `${where}[]`, inner);
}

/** Entry point for one schema pair: `roots` are the documents (and schema roots) refs resolve in. */
export function schemaChanges(
  before: unknown,
  after: unknown,
  where: string,
  side: Side,
  roots: { before: unknown; after: unknown },
): BreakingChange[] {
  const out: BreakingChange[] = [];
  compareSchemas(before, after, where, {
    side,
    before: [before, roots.before],
    after: [after, roots.after],
    out,
    depth: 0,
    seen: new Set(),
  });
  return out;
}
