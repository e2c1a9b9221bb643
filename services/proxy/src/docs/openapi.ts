import { ErrorOut } from "@ai-router/contracts";
import { z } from "zod";
import { PROXY_OPERATIONS as ops } from "./openapi-operations.js";

const schema = (s: z.ZodType) => z.toJSONSchema(s, { io: "input", unrepresentable: "any", target: "draft-2020-12" });

const errorText: Record<number, string> = {
  400: "Invalid request (OpenAI error envelope naming the field)",
  401: "Missing or invalid key",
  403: "Model not allowed for this key, or admin endpoints disabled (no server.admin_token)",
  404: "Unknown model, provider or path",
  413: "Body over server.max_body_bytes",
  429: "Client key over its rpm/tpm limit or budget, or upstream rate limit",
  502: "Upstream error",
  503: "No provider available",
};

/** The proxy API's major version: `info.version`, and the committed contract is openapi/proxy.v<major>.json. */
export const PROXY_API_VERSION = "1";

/** The proxy's OpenAPI 3.1 document (built once). */
export function proxyOpenApi(version = PROXY_API_VERSION): Record<string, unknown> {
  const error = { content: { "application/json": { schema: schema(ErrorOut) } } };
  const paths: Record<string, Record<string, unknown>> = {};
  for (const [path, methods] of Object.entries(ops)) {
    paths[path] = {};
    for (const [method, op] of Object.entries(methods)) {
      const responses: Record<string, unknown> = {
        200: {
          description: op.stream ? "JSON, or text/event-stream with `stream: true`" : "Success",
          content: op.stream
            ? { "application/json": {}, "text/event-stream": {} }
            : { "application/json": op.response ? { schema: schema(op.response) } : {} },
        },
      };
      for (const code of op.errors ?? [400, 401]) responses[String(code)] = { description: errorText[code] ?? "Error", ...error };
      paths[path][method] = {
        tags: [op.tag],
        summary: op.summary,
        operationId: `${method}_${path.replace(/[/{}]+/g, "_").replace(/^_|_$/g, "")}`,
        parameters: [
          ...(op.params ?? []).map((name) => ({ name, in: "path", required: true, schema: { type: "string" } })),
          ...Object.entries(op.query ?? {}).map(([name, description]) => ({
            name,
            in: "query",
            required: false,
            description,
            schema: { type: "string" },
          })),
        ],
        ...(op.body ? { requestBody: { required: true, content: { "application/json": { schema: schema(op.body) } } } } : {}),
        responses,
        security: op.admin ? [{ adminToken: [] }] : op.open ? [] : [{ clientKey: [] }, {}],
        ...(op.deprecated ? { deprecated: true } : {}),
      };
    }
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "AI Router proxy",
      version,
      description:
        "The data plane: OpenAI- and Anthropic-compatible endpoints, the original product's health, provider and statistics views, and (standalone) the maintenance endpoints behind server.admin_token.",
    },
    paths,
    components: {
      securitySchemes: {
        clientKey: { type: "http", scheme: "bearer", description: "A client key from `keys` (also accepted as x-api-key)" },
        adminToken: { type: "http", scheme: "bearer", description: "server.admin_token (standalone)" },
      },
    },
  };
}
