import { ErrorOut } from "@ai-router/contracts";
import type { Request, Response, Router } from "express";
import { z } from "zod";

type Method = "get" | "post" | "put" | "delete";

/** One admin route: its handler and what the OpenAPI document says about it. */
export interface RouteSpec {
  method: Method;
  /** Express path (`/v1/db/models/:id`); a trailing slash is accepted as well. */
  path: string;
  tag: string;
  summary: string;
  description?: string;
  body?: z.ZodType;
  response?: z.ZodType;
  /** Success status (200 by default). */
  status?: number;
  /** Error statuses worth documenting besides 400/401. */
  errors?: number[];
  query?: Record<string, { description: string; schema: z.ZodType }>;
}

type Handler = (req: Request, res: Response) => unknown;

const errorText: Record<number, string> = {
  400: "Invalid request (OpenAI-style error envelope naming the field)",
  401: "Missing or invalid admin token",
  404: "Not found",
  409: "Conflict with an existing record",
  503: "Not published: NATS unavailable",
};

/**
 * Registers handlers on an express router and keeps their specs, so the OpenAPI document is generated
 * from the very zod schemas that validate the requests.
 */
export class ApiRegistry {
  readonly specs: RouteSpec[] = [];

  constructor(private readonly router: Router) {}

  route(spec: RouteSpec, handler: Handler): void {
    this.specs.push(spec);
    this.router[spec.method](spec.path, async (req, res) => {
      const out = await handler(req, res);
      if (!res.headersSent) res.status(spec.status ?? 200).json(out);
    });
  }

  /** The OpenAPI 3.1 document. */
  document(info: { title: string; version: string; description: string }): Record<string, unknown> {
    const paths: Record<string, Record<string, unknown>> = {};
    const schema = (s: z.ZodType, io: "input" | "output") => z.toJSONSchema(s, { io, unrepresentable: "any", target: "draft-2020-12" });
    const errorSchema = schema(ErrorOut, "output");
    for (const r of this.specs) {
      const path = r.path.replace(/:(\w+)/g, "{$1}");
      const params = [...r.path.matchAll(/:(\w+)/g)].map((m) => ({
        name: m[1],
        in: "path",
        required: true,
        schema: { type: "string" },
      }));
      const query = Object.entries(r.query ?? {}).map(([name, q]) => ({
        name,
        in: "query",
        required: false,
        description: q.description,
        schema: schema(q.schema, "input"),
      }));
      const responses: Record<string, unknown> = {
        [String(r.status ?? 200)]: {
          description: "Success",
          ...(r.response ? { content: { "application/json": { schema: schema(r.response, "output") } } } : {}),
        },
      };
      for (const code of [400, 401, ...(r.errors ?? [])])
        responses[String(code)] = { description: errorText[code] ?? "Error", content: { "application/json": { schema: errorSchema } } };
      paths[path] ??= {};
      paths[path][r.method] = {
        tags: [r.tag],
        summary: r.summary,
        ...(r.description ? { description: r.description } : {}),
        operationId: `${r.method}_${r.path.replace(/[/:]+/g, "_").replace(/^_|_$/g, "")}`,
        parameters: [...params, ...query],
        ...(r.body ? { requestBody: { required: true, content: { "application/json": { schema: schema(r.body, "input") } } } } : {}),
        responses,
        security: [{ adminToken: [] }],
      };
    }
    return {
      openapi: "3.1.0",
      info,
      paths,
      components: { securitySchemes: { adminToken: { type: "http", scheme: "bearer", description: "ROUTER_ADMIN_TOKEN" } } },
    };
  }
}
