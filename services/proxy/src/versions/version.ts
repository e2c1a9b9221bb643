import { readFileSync } from "node:fs";
import { ROUTING_TABLE_READS, ROUTING_TABLE_SCHEMA_VERSION, USAGE_RECORD_READS, USAGE_RECORD_SCHEMA_VERSION } from "@ai-router/contracts";
import { ANTHROPIC_VERSION } from "@ai-router/providers";
import { z } from "zod";
import type { RequestContext } from "../handlers/context.js";
import { sendJson } from "../http/respond.js";
import type { Route } from "../server.js";

/** A schema version and the versions a reader of this build accepts. */
const SchemaVersion = z.object({
  /** The version this build writes. */
  version: z.number().int(),
  /** The versions it reads (one back, one ahead). */
  reads: z.object({ min: z.number().int(), max: z.number().int() }),
});

/** `GET /v1/version`: what a client or operator needs to know which contracts this replica speaks. */
export const VersionInfo = z.object({
  object: z.literal("version"),
  /** The router release (its package.json). */
  router: z.string(),
  /** Major version of each HTTP API this replica serves (their OpenAPI documents are per major version). */
  api: z.object({ proxy: z.string(), admin: z.string() }),
  /** The front-door formats and the versions of them it speaks. */
  formats: z.object({ openai: z.string(), anthropic: z.string(), gemini: z.string() }),
  /** Schemas of the data one release publishes and another reads. */
  schemas: z.object({ routing_table: SchemaVersion, usage_record: SchemaVersion }),
});
export type VersionInfo = z.infer<typeof VersionInfo>;

/** The release in this package's package.json (read once at start; `unknown` when it cannot be read). */
export function routerVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version?: unknown };
    return typeof pkg.version === "string" ? pkg.version : "unknown";
  } catch {
    return "unknown";
  }
}

export function versionInfo(router = routerVersion()): VersionInfo {
  return {
    object: "version",
    router,
    api: { proxy: "v1", admin: "v1" },
    formats: { openai: "v1", anthropic: ANTHROPIC_VERSION, gemini: "v1beta" },
    schemas: {
      routing_table: { version: ROUTING_TABLE_SCHEMA_VERSION, reads: { ...ROUTING_TABLE_READS } },
      usage_record: { version: USAGE_RECORD_SCHEMA_VERSION, reads: { ...USAGE_RECORD_READS } },
    },
  };
}

/** `GET /v1/version`, no client key: the body is built once. */
export function versionRoute(): Route {
  const body = JSON.stringify(versionInfo());
  return {
    method: "GET",
    path: "/v1/version",
    auth: false,
    needsTable: false,
    handle: (ctx: RequestContext) => sendJson(ctx.res, 200, body, { "x-request-id": ctx.id }),
  };
}
