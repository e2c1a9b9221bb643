import { EventEmitter } from "node:events";
import type { IncomingHttpHeaders, IncomingMessage } from "node:http";

/** Upgrade headers a turn must not inherit (the turn's own body and id are set per turn). */
const DROPPED = new Set([
  "connection",
  "upgrade",
  "content-length",
  "content-encoding",
  "transfer-encoding",
  "x-request-id",
  "sec-websocket-key",
  "sec-websocket-version",
  "sec-websocket-extensions",
  "sec-websocket-protocol",
]);

/** The upgrade request's headers as every turn's (built once per socket). */
export function turnHeaders(upgrade: IncomingHttpHeaders): IncomingHttpHeaders {
  const h: IncomingHttpHeaders = {};
  for (const [k, v] of Object.entries(upgrade)) if (!DROPPED.has(k)) h[k] = v;
  h["content-type"] = "application/json";
  return h;
}

/**
 * A turn's body as the request handler reads it (`data`, then `end`): emitted on the next tick once a
 * reader listens for its end, without the machinery of a stream (one fewer object graph per turn).
 */
class TurnBody extends EventEmitter {
  private scheduled = false;

  constructor(private readonly body: Buffer) {
    super();
  }

  override on(event: string | symbol, fn: (...args: unknown[]) => void): this {
    super.on(event, fn);
    if (event === "end" && !this.scheduled) {
      this.scheduled = true;
      process.nextTick(() => {
        this.emit("data", this.body);
        this.emit("end");
      });
    }
    return this;
  }

  pause(): this {
    return this;
  }

  resume(): this {
    return this;
  }
}

/**
 * One turn as a POST the request handler serves: its body is the `response.create` event's fields,
 * as bytes and, when given, already parsed (`parsedBody`, ingress/responses.ts: not parsed again).
 */
export function turnRequest(
  path: string,
  base: IncomingHttpHeaders,
  body: Buffer,
  remoteAddress: string | undefined,
  parsed?: Record<string, unknown>,
): IncomingMessage {
  const headers = Object.assign({}, base, { "content-length": `${body.length}` });
  return Object.assign(new TurnBody(body), {
    method: "POST",
    url: path,
    headers,
    socket: { bytesRead: 0, bytesWritten: 0, remoteAddress },
    parsedBody: parsed,
  }) as unknown as IncomingMessage;
}
