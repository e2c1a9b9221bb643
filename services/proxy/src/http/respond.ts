import type { ServerResponse } from "node:http";
import { type ErrorCode, RouterError } from "@ai-router/errors";

/** Sends a JSON body (string or bytes) with the given status and extra headers. */
export function sendJson(res: ServerResponse, status: number, body: string | Buffer, headers?: Record<string, string>): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const length = typeof body === "string" ? Buffer.byteLength(body) : body.length;
  // One writeHead with every header: cheaper than a setHeader call each.
  res.writeHead(
    status,
    headers
      ? { "content-type": "application/json", "content-length": length, ...headers }
      : { "content-type": "application/json", "content-length": length },
  );
  res.end(body);
}

/** Sends an error in OpenAI's envelope. */
export function sendError(res: ServerResponse, err: RouterError, headers?: Record<string, string>): void {
  sendJson(res, err.status, JSON.stringify(err.toBody()), headers);
}

export function fail(code: ErrorCode, message: string, param: string | null = null): RouterError {
  return new RouterError(code, message, { param });
}
