import { RouterError } from "@ai-router/errors";
import type { z } from "zod";

const pathOf = (path: readonly PropertyKey[]): string => {
  let out = "";
  for (const p of path) out += typeof p === "number" ? `[${p}]` : out ? `.${String(p)}` : String(p);
  return out;
};

/** The value at a zod issue's path in the body (undefined when absent). */
function valueAt(body: unknown, path: readonly PropertyKey[]): unknown {
  let v = body;
  for (const p of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<PropertyKey, unknown>)[p];
  }
  return v;
}

/** Validates a request body against a zod schema; the first problem becomes an OpenAI-style 400. */
export function validateBody<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const r = schema.safeParse(body);
  if (r.success) return r.data;
  const issue = r.error.issues[0] as z.core.$ZodIssue;
  const param = pathOf(issue.path);
  // Missing means absent from the body; a value of the wrong type is named as such (zod issues do not
  // carry the input unless asked, so the body is looked at).
  const missing = issue.code === "invalid_type" && valueAt(body, issue.path) === undefined;
  let message: string;
  if (missing) {
    message = `Missing required parameter: '${param}'.`;
  } else if (issue.code === "invalid_union" || issue.code === "invalid_type") {
    message = `Invalid type for '${param}': ${issue.message.replace(/^Invalid input: /, "")}.`;
  } else {
    message = `Invalid value for '${param}': ${issue.message}.`;
  }
  throw new RouterError("invalid_request", message, {
    param: param || null,
    publicCode: missing ? "missing_required_parameter" : "invalid_value",
  });
}
