import { once } from "node:events";
import WebSocket from "ws";

type Json = Record<string, any>;

/**
 * A Responses WebSocket client driving the wire protocol as the openai SDK's `ResponsesWS` does: the
 * upgrade with `Authorization: Bearer`, `response.create` events as JSON text frames, server events
 * read one JSON frame each.
 */
export class ResponsesSocket {
  readonly events: Json[] = [];
  private waiters: (() => void)[] = [];
  closed: { code: number; reason: string } | undefined;

  private constructor(readonly ws: WebSocket) {
    ws.on("message", (data) => {
      this.events.push(JSON.parse(data.toString()) as Json);
      for (const w of this.waiters.splice(0)) w();
    });
    ws.on("close", (code, reason) => {
      this.closed = { code, reason: reason.toString() };
      for (const w of this.waiters.splice(0)) w();
    });
  }

  /** Opens the socket; rejects with the HTTP status when the upgrade is refused. */
  static async open(baseUrl: string, key?: string, path = "/v1/responses"): Promise<ResponsesSocket> {
    const ws = new WebSocket(`${baseUrl.replace(/^http/, "ws")}${path}`, { headers: key ? { authorization: `Bearer ${key}` } : {} });
    const s = new ResponsesSocket(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once("open", () => resolve());
      ws.once("unexpected-response", (_req, res) => {
        let body = "";
        res.on("data", (c: Buffer) => (body += c));
        res.on("end", () => reject(Object.assign(new Error(`upgrade refused: ${res.statusCode}`), { status: res.statusCode, body })));
      });
      ws.once("error", reject);
    });
    return s;
  }

  send(event: Json): void {
    this.ws.send(JSON.stringify(event));
  }

  /** Waits for an event matching `pred` after index `from`; returns the events from `from` to it. */
  async until(pred: (e: Json) => boolean, from = 0): Promise<Json[]> {
    for (;;) {
      const i = this.events.findIndex((e, j) => j >= from && pred(e));
      if (i >= 0) return this.events.slice(from, i + 1);
      if (this.closed) throw new Error(`socket closed (${this.closed.code} ${this.closed.reason})`);
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  /** Sends one `response.create` and returns the turn's events, ending with its terminal event. */
  async turn(fields: Json): Promise<Json[]> {
    const from = this.events.length;
    this.send({ type: "response.create", ...fields });
    return this.until((e) => ["response.completed", "response.failed", "response.incomplete", "error"].includes(e.type), from);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.ws.close();
    await once(this.ws, "close");
  }
}
