import { RouterError } from "@ai-router/errors";
import type { z } from "zod";

const pathOf = (path: readonly PropertyKey[]): string => {
  let out = "";
  for (const p of path) out += typeof p === "number" ? `[${p}]` : out ? `.${String(p)}` : String(p);
  return out;
};

/** Validates a request body against a zod schema; the first problem becomes an OpenAI-style 400. */
export function validateBody<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const r = schema.safeParse(body);
  if (r.success) return r.data;
  const issue = r.error.issues[0] as z.core.$ZodIssue;
  const param = pathOf(issue.path);
  let message: string;
  if (issue.code === "invalid_type" && (issue as { input?: unknown }).input === undefined) {
    message = `Missing required parameter: '${param}'.`;
  } else if (issue.code === "invalid_union" || issue.code === "invalid_type") {
    message = `Invalid type for '${param}': ${issue.message.replace(/^Invalid input: /, "")}.`;
  } else {
    message = `Invalid value for '${param}': ${issue.message}.`;
  }
  throw new RouterError("invalid_request", message, {
    param: param || null,
    publicCode:
      issue.code === "invalid_type" && (issue as { input?: unknown }).input === undefined ? "missing_required_parameter" : "invalid_value",
  });
}
