import { RouterError, toRouterError } from "@ai-router/errors";
import type { Logger } from "@ai-router/logger";
import type { ErrorRequestHandler, Request, RequestHandler } from "express";
import type { z } from "zod";
import { Prisma } from "../generated/prisma/client.js";

export const notFound = (what: string) => new RouterError("not_found", `${what} not found.`);
export const conflict = (message: string, param: string | null = null) => new RouterError("conflict", message, { param });
export const badRequest = (message: string, param: string | null = null) => new RouterError("invalid_request", message, { param });

function issuesToError(error: z.ZodError, where: string): RouterError {
  const first = error.issues[0];
  const path = first?.code === "unrecognized_keys" ? [...first.path, first.keys[0] ?? ""] : (first?.path ?? []);
  const param = path.length > 0 ? path.join(".") : null;
  const text = error.issues
    .slice(0, 5)
    .map((i) => (i.path.length ? `${i.path.join(".")}: ${i.message}` : i.message))
    .join("; ");
  return badRequest(`Invalid ${where}: ${text}`, param);
}

/** Parses a request body with a strict schema; a failure is a 400 naming the field. */
export function parseBody<S extends z.ZodType>(schema: S, req: Request): z.infer<S> {
  const r = schema.safeParse(req.body ?? {});
  if (!r.success) throw issuesToError(r.error, "request body");
  return r.data;
}

/** Parses a query string with a schema; a failure is a 400 naming the parameter. */
export function parseQuery<S extends z.ZodType>(schema: S, req: Request): z.infer<S> {
  const r = schema.safeParse(req.query);
  if (!r.success) throw issuesToError(r.error, "query");
  return r.data;
}

/** Parses a path parameter (ids); a bad one is a 400. */
export function parseParam<S extends z.ZodType>(schema: S, req: Request, name: string): z.infer<S> {
  const r = schema.safeParse(req.params[name]);
  if (!r.success) throw badRequest(`Invalid path parameter ${name}: must be a positive integer id.`, name);
  return r.data;
}

/** 404 in OpenAI's envelope for unknown admin paths. */
export const unknownRoute: RequestHandler = (req, _res, next) => {
  next(
    new RouterError("not_found", `Unknown request URL: ${req.method} ${req.path}. Please check the URL for typos.`, {
      publicCode: "unknown_url",
    }),
  );
};

/** The one error handler: OpenAI-style envelopes; internal errors are logged, never shown. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    let e: RouterError;
    const typed = err as { type?: string; status?: number };
    if (typed?.type === "entity.parse.failed") e = new RouterError("invalid_json", "The request body is not valid JSON.");
    else if (typed?.type === "entity.too.large") e = new RouterError("body_too_large", "The request body is too large.");
    else if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2002")
      e = conflict(`A record with this ${String((err.meta?.target as string[] | undefined)?.join(", ") ?? "value")} already exists.`);
    else if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2025") e = notFound("Record");
    else e = toRouterError(err);
    if (e.code === "internal_error") logger.error({ err, path: req.path, method: req.method }, "admin request failed");
    res.status(e.status).json(e.toBody());
  };
}
