import { type BreakingChange, resolveRef, schemaChanges } from "./schema-compat.js";

export type { BreakingChange, BreakingKind } from "./schema-compat.js";

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const obj = (v: unknown): Json => (isObj(v) ? v : {});
const METHODS = ["get", "put", "post", "delete", "patch", "head", "options", "trace"] as const;

interface Docs {
  before: Json;
  after: Json;
  out: BreakingChange[];
}

/** Parameters of an operation with its path item's, keyed `query:limit`. */
function parametersOf(pathItem: Json, op: Json, doc: Json): Map<string, Json> {
  const out = new Map<string, Json>();
  for (const raw of [
    ...(Array.isArray(pathItem.parameters) ? pathItem.parameters : []),
    ...(Array.isArray(op.parameters) ? op.parameters : []),
  ]) {
    const p = obj(resolveRef(raw, [doc]));
    if (typeof p.name === "string") out.set(`${String(p.in)}:${p.name}`, p);
  }
  return out;
}

function compareContent(before: unknown, after: unknown, where: string, side: "request" | "response", d: Docs): void {
  const bc = obj(before);
  const ac = obj(after);
  for (const [media, b] of Object.entries(bc)) {
    const a = ac[media];
    if (a === undefined) {
      d.out.push({ kind: "media-type-removed", where, detail: `${media} no longer ${side === "request" ? "accepted" : "returned"}` });
      continue;
    }
    const roots = { before: d.before, after: d.after };
    d.out.push(...schemaChanges(obj(b).schema ?? {}, obj(a).schema ?? {}, `${where} (${media})`, side, roots));
  }
}

function compareOperation(path: string, method: string, bItem: Json, aItem: Json, d: Docs): void {
  const where = `${method.toUpperCase()} ${path}`;
  const b = obj(resolveRef(bItem[method], [d.before]));
  const a = obj(resolveRef(aItem[method], [d.after]));
  const bp = parametersOf(bItem, b, d.before);
  const ap = parametersOf(aItem, a, d.after);
  for (const [key, p] of bp) {
    const q = ap.get(key);
    if (!q) d.out.push({ kind: "parameter-removed", where: `${where} parameter ${key}`, detail: "parameter removed" });
    else
      d.out.push(
        ...schemaChanges(p.schema ?? {}, q.schema ?? {}, `${where} parameter ${key}`, "request", { before: d.before, after: d.after }),
      );
  }
  for (const [key, q] of ap)
    if (q.required === true && bp.get(key)?.required !== true)
      d.out.push({
        kind: "parameter-made-required",
        where: `${where} parameter ${key}`,
        detail: bp.has(key) ? "now required" : "new required parameter",
      });
  const bb = obj(resolveRef(b.requestBody, [d.before]));
  const ab = obj(resolveRef(a.requestBody, [d.after]));
  if (ab.required === true && bb.required !== true)
    d.out.push({ kind: "request-body-made-required", where: `${where} request body`, detail: "a body is now required" });
  compareContent(bb.content, ab.content, `${where} request body`, "request", d);
  const br = obj(b.responses);
  const ar = obj(a.responses);
  for (const [code, raw] of Object.entries(br)) {
    const at = `${where} response ${code}`;
    if (ar[code] === undefined) {
      // Dropping a documented error status changes no client; dropping a success answer does.
      if (code.startsWith("2")) d.out.push({ kind: "response-removed", where: at, detail: "response removed" });
      continue;
    }
    compareContent(obj(resolveRef(raw, [d.before])).content, obj(resolveRef(ar[code], [d.after])).content, at, "response", d);
  }
}

/**
 * What in `after` breaks a client written against `before` (two OpenAPI 3.x documents): removed paths,
 * methods, parameters and response fields; narrowed request types and values; new required inputs;
 * widened response types. Additions are not listed.
 */
export function breakingChanges(before: unknown, after: unknown): BreakingChange[] {
  const d: Docs = { before: obj(before), after: obj(after), out: [] };
  const bpaths = obj(d.before.paths);
  const apaths = obj(d.after.paths);
  for (const [path, raw] of Object.entries(bpaths)) {
    const bItem = obj(raw);
    const aItem = apaths[path] === undefined ? undefined : obj(apaths[path]);
    if (!aItem) {
      d.out.push({ kind: "path-removed", where: path, detail: "path removed" });
      continue;
    }
    for (const m of METHODS) {
      if (bItem[m] === undefined) continue;
      if (aItem[m] === undefined) d.out.push({ kind: "method-removed", where: `${m.toUpperCase()} ${path}`, detail: "operation removed" });
      else compareOperation(path, m, bItem, aItem, d);
    }
  }
  return d.out;
}

/** One line per change, for a test failure or the write script. */
export const describeChanges = (changes: BreakingChange[]): string => changes.map((c) => `- ${c.kind}: ${c.where}: ${c.detail}`).join("\n");

/** The document's major version: the leading integer of `info.version` ("1", "1.4.0" -> 1). */
export function majorVersion(doc: unknown): number {
  const v = String(obj(obj(doc).info).version ?? "");
  const m = /^v?(\d+)/.exec(v);
  if (!m) throw new Error(`info.version "${v}" has no major version`);
  return Number(m[1]);
}
