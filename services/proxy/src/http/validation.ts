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

type Issue = z.core.$ZodIssue;

/**
 * The problem to report: for a union whose branches all failed, the failure of the branch that got
 * furthest into the value (`contents[0].parts[0]` rather than `contents` for an array-or-object field),
 * unless every branch failed at the value itself.
 */
function deepestIssue(issue: Issue): Issue {
  if (issue.code !== "invalid_union" || issue.errors.length === 0) return issue;
  let best: Issue | undefined;
  let bestScore = 0;
  for (const branch of issue.errors) {
    const first = branch[0];
    if (!first || first.path.length === 0) continue;
    // A branch refused on its `type` or `role` is a different kind of value: the others say more.
    const last = first.path[first.path.length - 1];
    const score = first.path.length - (last === "type" || last === "role" ? 0.5 : 0);
    if (score > bestScore) {
      best = first;
      bestScore = score;
    }
  }
  return best ? deepestIssue(Object.assign({}, best, { path: [...issue.path, ...best.path] }) as Issue) : issue;
}

/** Validates a request body against a zod schema; the first problem becomes an OpenAI-style 400. */
export function validateBody<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const r = schema.safeParse(body);
  if (r.success) return r.data;
  const issue = deepestIssue(r.error.issues[0] as Issue);
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
