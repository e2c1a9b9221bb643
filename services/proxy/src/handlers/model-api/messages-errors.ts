import type { ServerResponse } from "node:http";
import type { RouterError } from "@ai-router/errors";
import { sseEvent, toAnthropicError } from "@ai-router/providers";
import { sendJson } from "../../http/respond.js";

/** Anthropic's envelope for any router error: `{"type":"error","error":{"type","message"},"request_id"}`. */
export function anthropicErrorOf(err: RouterError, requestId?: string) {
  // toBody() hides the text of internal errors.
  return toAnthropicError(err.status, err.toBody().error.message, err.publicCode, requestId);
}

/** Sends a router error as Anthropic does, with Anthropic's status (529 for overload). */
export function sendAnthropicError(res: ServerResponse, err: RouterError, headers: Record<string, string> = {}): void {
  const { status, body } = anthropicErrorOf(err, headers["x-request-id"]);
  sendJson(res, status, JSON.stringify(body), headers);
}

/** An in-band `event: error` for a stream that has started. */
export const anthropicStreamError = (err: RouterError): string => sseEvent("error", anthropicErrorOf(err).body);
