import type { ServerResponse } from "node:http";
import { type ErrorCode, RouterError } from "@ai-router/errors";

/**
 * Sends a JSON body (string or bytes) with the given status and extra headers. `headers` is taken, not
 * copied: every caller builds it for this one response, and the content headers are added to it.
 */
export function sendJson(res: ServerResponse, status: number, body: string | Buffer, headers?: Record<string, string>): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const length = typeof body === "string" ? Buffer.byteLength(body) : body.length;
  // One writeHead with every header: cheaper than a setHeader call each.
  const h = headers ?? {};
  h["content-type"] = "application/json";
  h["content-length"] = `${length}`;
  res.writeHead(status, h);
  res.end(body);
}

/** Sends an error in OpenAI's envelope. */
export function sendError(res: ServerResponse, err: RouterError, headers?: Record<string, string>): void {
  sendJson(res, err.status, JSON.stringify(err.toBody()), headers);
}

export function fail(code: ErrorCode, message: string, param: string | null = null): RouterError {
  return new RouterError(code, message, { param });
}
