import type { ServerResponse } from "node:http";
import type { LlmType } from "@ai-router/contracts";
import type { RouterError } from "@ai-router/errors";
import type { ProviderEndpoint } from "@ai-router/providers";
import type { z } from "zod";
import type { RequestContext } from "../handlers/context.js";
import type { RecordRoute } from "../record/request-record.js";

/**
 * How the router reads an endpoint's body before its handler runs (bounded by the table's
 * `max_body_bytes`, the decoded size included):
 * - `json`: decoded, parsed as a JSON object (the model it names is noted for the record), validated by
 *   the endpoint's `schema`;
 * - `multipart`: the bytes as sent (a form; the handler splits it with the request's content-type);
 * - `raw`: decoded bytes, parsed by the handler (the ingresses parse and forward them themselves);
 * - `none`: not read (GET, DELETE; admin routes that read a small body of their own).
 */
export type BodyReader = "json" | "multipart" | "raw" | "none";

/** How an endpoint's answer reaches the client: a JSON body, an event stream, or bytes relayed as they are (audio). */
export type AnswerRelay = "json" | "sse" | "binary";

export type ErrorSender = (res: ServerResponse, err: RouterError, headers: Record<string, string>) => void;

/**
 * One endpoint, declared once: the router is built from the list of these (endpoints/*.ts). Everything
 * the router does before the handler (match, client key, limits, body, validation, the error envelope)
 * and after it (the request's record) follows from the declaration.
 */
export interface Endpoint {
  method: "GET" | "POST" | "PUT" | "DELETE";
  /** Exact path, or a prefix when it ends with `*` (the rest is URL-decoded and passed to `handle`). */
  path: string;
  /** `false`: answers without a client key (health, metrics, docs). */
  auth: boolean;
  /** `false`: runs without a routing table (health, admin forwarding). */
  needsTable?: boolean;
  /** Also accepts the client key as `?key=` (Gemini's clients). */
  queryKey?: boolean;
  /** How the body is read (default `none`). */
  body?: BodyReader;
  /** `json` bodies: the zod schema that validates them (a 400 in the client's format names the field). */
  schema?: z.ZodType;
  /** The kind of model the endpoint serves (a model of another kind is a 400). */
  llmType?: LlmType;
  /**
   * The provider endpoint that serves it: providers declare which they have (ProviderDescriptor.endpoints);
   * the attempt pipeline skips a target whose provider lacks it.
   */
  serves?: ProviderEndpoint;
  /**
   * How answers go out: a JSON body, an event stream, or bytes relayed as they come (`binary`: speech,
   * transcripts in text formats). Documentation for readers of the list; the exchange decides per request.
   */
  answers?: readonly AnswerRelay[];
  /** Requests produce a usage record (ingress, endpoint name, how tokens are estimated when not reported). */
  usage?: RecordRoute;
  /** Sends this endpoint's errors in its own envelope (Anthropic's, Gemini's); OpenAI's by default. */
  sendError?: ErrorSender;
  /** Runs once the body is read as declared (`ctx.body`, `ctx.json`, `ctx.valid`). */
  handle(ctx: RequestContext, rest: string): void | Promise<void>;
}
