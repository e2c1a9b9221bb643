import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { METRIC_PREFIX, type TableClientKey } from "@ai-router/contracts";
import { RouterError, toRouterError } from "@ai-router/errors";
import type { Logger } from "@ai-router/logger";
import { WebSocket, WebSocketServer } from "ws";
import { authenticate } from "../http/auth.js";
import { hasLimits } from "../limits/key-limiter.js";
import type { TableStore } from "../routing/table-store.js";
import type { ClientSecrets } from "./client-secrets.js";
import { openRealtimeUpstream, type RealtimeRecording, RealtimeRelay, type RealtimeUpstream } from "./realtime-relay.js";
import { errorEvent, ResponsesSession, type ServeTurn } from "./responses-session.js";
import { socketSink } from "./socket-sink.js";
import { TurnResponse } from "./turn-bridge.js";
import { turnHeaders } from "./turn-request.js";

/** Limits of the WebSocket endpoints (env `ROUTER_WS_*`). */
export interface WebSocketOptions {
  /** Open sockets per client key (one more is refused with 429 at the upgrade). */
  maxSocketsPerKey: number;
  /** Largest client message, bytes (a bigger one closes the socket with 1009). */
  maxMessageBytes: number;
  /** A socket with no client message and no turn for this long is closed (1000); pings every third of it. */
  idleMs: number;
  /** Bytes a slow reader may leave unsent before its socket is closed with 1008. */
  maxBufferedBytes: number;
  /** Bytes of `store: false` conversation held per socket for `previous_response_id`. */
  maxStateBytes: number;
}

export const DEFAULT_WS_OPTIONS: WebSocketOptions = {
  maxSocketsPerKey: 64,
  maxMessageBytes: 16 * 1024 * 1024,
  idleMs: 300_000,
  maxBufferedBytes: 4 * 1024 * 1024,
  maxStateBytes: 8 * 1024 * 1024,
};

/** Close codes (RFC 6455 §7.4.1) the router sends. */
export const CLOSE = { normal: 1000, goingAway: 1001, policy: 1008, tooBig: 1009 } as const;

/** What the hub needs of a socket's session (Responses turns, or a realtime relay). */
interface Session {
  readonly idle: boolean;
  onIdle: (() => void) | undefined;
  close(): void;
}

interface Conn {
  ws: WebSocket;
  owner: string;
  alive: boolean;
  lastActive: number;
  session: Session;
}

/** The Realtime API's parts: client secrets, and where each response's usage is recorded. */
export interface RealtimeDeps extends RealtimeRecording {
  secrets: ClientSecrets;
}

/** Browsers offer `realtime` plus a key subprotocol; the server answers with a protocol that is not the key. */
const pickProtocol = (offered: Set<string>): string | false => {
  for (const p of offered) if (!p.startsWith("openai-insecure-api-key.")) return p;
  return false;
};

const REASONS: Record<number, string> = { 401: "Unauthorized", 404: "Not Found", 429: "Too Many Requests", 503: "Service Unavailable" };

/** Refuses an upgrade with a plain HTTP answer in OpenAI's error envelope (before any WebSocket exists). */
function refuse(socket: Duplex, err: RouterError): void {
  const body = JSON.stringify(err.toBody());
  const status = err.status;
  socket.end(
    `HTTP/1.1 ${status} ${REASONS[status] ?? "Error"}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}

/**
 * The WebSocket endpoints: the upgrade (authenticated, counted per key, refused with a plain HTTP
 * answer before the handshake completes), one session per socket, liveness (one timer for every
 * socket: a ping each sweep, a socket that missed the last pong or sat idle too long is closed), and
 * the drain on shutdown (turns in flight finish, then every socket is closed with 1001).
 */
export class SocketHub {
  private readonly wss: WebSocketServer;
  private readonly conns = new Set<Conn>();
  private readonly perKey = new Map<string, number>();
  private readonly sweep: NodeJS.Timeout;
  private draining = false;
  /** Open sockets per endpoint, and upgrades refused per status (the `/metrics` text). */
  private readonly open = { responses: 0, realtime: 0 };
  private readonly refused = new Map<number, number>();

  constructor(
    private readonly store: TableStore,
    private readonly serve: ServeTurn,
    private readonly logger: Logger,
    private readonly realtime: RealtimeDeps,
    private readonly opts: WebSocketOptions = DEFAULT_WS_OPTIONS,
  ) {
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: opts.maxMessageBytes,
      perMessageDeflate: false,
      clientTracking: false,
      handleProtocols: pickProtocol,
    });
    this.sweep = setInterval(() => this.check(), Math.max(50, Math.floor(opts.idleMs / 3)));
    this.sweep.unref();
  }

  get size(): number {
    return this.conns.size;
  }

  /** Prometheus text: open sockets per endpoint, upgrades refused per status. */
  metricsText(): string {
    const open = `${METRIC_PREFIX}websocket_connections`;
    const refused = `${METRIC_PREFIX}websocket_upgrades_refused_total`;
    let out = `# HELP ${open} Open WebSockets (docs/websocket.md)\n# TYPE ${open} gauge\n`;
    out += `${open}{endpoint="responses"} ${this.open.responses}\n${open}{endpoint="realtime"} ${this.open.realtime}\n`;
    out += `# HELP ${refused} WebSocket upgrades refused before the handshake, by HTTP status\n# TYPE ${refused} counter\n`;
    for (const [status, n] of this.refused) out += `${refused}{status="${status}"} ${n}\n`;
    return out;
  }

  /** The HTTP server's `upgrade` event. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on("error", () => socket.destroy());
    void this.admit(req, socket, head).catch((err: unknown) => {
      const e = toRouterError(err);
      this.refused.set(e.status, (this.refused.get(e.status) ?? 0) + 1);
      refuse(socket, e);
    });
  }

  private async admit(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const url = req.url ?? "/";
    const q = url.indexOf("?");
    const path = q < 0 ? url : url.slice(0, q);
    const realtime = path === "/v1/realtime";
    if (path !== "/v1/responses" && !realtime) throw new RouterError("not_found", `No WebSocket endpoint at ${path.slice(0, 200)}.`);
    if (this.draining) throw new RouterError("shutting_down", "The router is shutting down; reconnect to another replica.");
    const table = this.store.current;
    if (!table) throw new RouterError("no_available_provider", "The router has no routing table yet.");
    const model = realtime ? (new URLSearchParams(url.slice(q + 1)).get("model") ?? "") : "";
    if (realtime && !model) throw new RouterError("invalid_request", "Missing required query parameter: 'model'.", { param: "model" });
    const key =
      (realtime ? this.realtime.secrets.keyOf(req.headers, table.clientKeys, model) : undefined) ??
      authenticate(req.headers, table.clientKeys, Date.now(), table.authRequired);
    // Without client keys (auth off) the limit applies per client address.
    const owner = key?.sha256 ?? `ip:${req.socket.remoteAddress ?? ""}`;
    const open = this.perKey.get(owner) ?? 0;
    if (open >= this.opts.maxSocketsPerKey) {
      throw new RouterError("rate_limited", `This key already has ${open} open WebSockets, the most allowed; close one first.`);
    }
    this.perKey.set(owner, open + 1);
    let up: RealtimeUpstream | undefined;
    try {
      // A realtime session counts as one request of the key's limits (its responses are charged as they end).
      if (realtime && key !== undefined && hasLimits(key)) {
        const refused = this.realtime.usage.keyLimits.get(key.sha256)?.admit(Date.now());
        if (refused !== undefined) throw refused.error;
      }
      if (realtime) up = await openRealtimeUpstream(table, key, model, req);
    } catch (err) {
      this.release(owner);
      throw err;
    }
    // A handshake ws refuses (bad Sec-WebSocket-Key, version...) or a client gone meanwhile never gets a
    // WebSocket: its count and its upstream socket are given back when its TCP socket closes.
    let handled = false;
    const giveBack = () => {
      if (handled) return;
      handled = true;
      this.release(owner);
      up?.ws.terminate();
    };
    socket.once("close", giveBack);
    if (socket.destroyed) return giveBack();
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      if (handled) return ws.terminate();
      handled = true;
      if (up) this.acceptRealtime(ws, up, key, owner);
      else this.accept(ws, req, socket, owner);
    });
  }

  private release(owner: string): void {
    const n = (this.perKey.get(owner) ?? 1) - 1;
    if (n <= 0) this.perKey.delete(owner);
    else this.perKey.set(owner, n);
  }

  private track(ws: WebSocket, owner: string, session: Session, kind: "responses" | "realtime"): Conn {
    const conn: Conn = { ws, owner, alive: true, lastActive: Date.now(), session };
    this.conns.add(conn);
    this.open[kind]++;
    ws.on("pong", () => {
      conn.alive = true;
    });
    ws.on("error", (err) => this.logger.debug({ err: err.message }, "websocket error"));
    ws.on("close", () => {
      session.close();
      this.open[kind]--;
      this.conns.delete(conn);
      this.release(owner);
    });
    return conn;
  }

  private acceptRealtime(ws: WebSocket, up: RealtimeUpstream, key: TableClientKey | undefined, owner: string): void {
    let conn: Conn | undefined;
    const relay = new RealtimeRelay(ws, up, key, this.realtime, this.opts.maxBufferedBytes, () => {
      if (conn) conn.lastActive = Date.now();
    });
    conn = this.track(ws, owner, relay, "realtime");
  }

  private accept(ws: WebSocket, req: IncomingMessage, raw: Duplex, owner: string): void {
    const opts = this.opts;
    const sink = socketSink(ws, raw, () => {
      ws.close(CLOSE.policy, "client too slow: send buffer full");
      // The close frame queues behind what the client does not read: the socket goes regardless.
      setTimeout(() => ws.terminate(), 1_000).unref();
    });
    const session = new ResponsesSession(
      sink,
      turnHeaders(req.headers),
      req.socket.remoteAddress,
      this.serve,
      { maxStateBytes: opts.maxStateBytes, maxBufferedBytes: opts.maxBufferedBytes, maxQueued: 16, maxLanes: 8 },
      (turnReq) => new TurnResponse(sink, turnReq, opts.maxBufferedBytes),
    );
    const conn = this.track(ws, owner, session, "responses");
    ws.on("message", (data, isBinary) => {
      conn.lastActive = Date.now();
      if (isBinary) sink.send(errorEvent(400, "invalid_event", "Send events as text frames."));
      else session.message(data as Buffer);
    });
  }

  private check(): void {
    const now = Date.now();
    for (const c of this.conns) {
      if (!c.alive) {
        c.ws.terminate();
        continue;
      }
      if (c.session.idle && now - c.lastActive > this.opts.idleMs) {
        c.ws.close(CLOSE.normal, "idle timeout");
        continue;
      }
      c.alive = false;
      c.ws.ping();
    }
  }

  /** Refuses new sockets, lets turns in flight finish (up to `graceMs`), then closes every socket with 1001. */
  async shutdown(graceMs: number): Promise<void> {
    this.draining = true;
    clearInterval(this.sweep);
    const closing: Promise<void>[] = [];
    for (const c of this.conns) {
      closing.push(
        new Promise<void>((resolve) => {
          const bye = () => {
            c.ws.close(CLOSE.goingAway, "server shutting down");
            resolve();
          };
          if (c.session.idle) return bye();
          c.session.onIdle = bye;
          setTimeout(bye, graceMs).unref();
        }),
      );
    }
    await Promise.all(closing);
    const gone = [...this.conns].map(
      (c) => new Promise<void>((resolve) => (c.ws.readyState === WebSocket.CLOSED ? resolve() : c.ws.once("close", () => resolve()))),
    );
    const cut = setTimeout(() => {
      for (const c of this.conns) c.ws.terminate();
    }, 1_000);
    cut.unref();
    await Promise.all(gone);
    clearTimeout(cut);
    this.wss.close();
  }
}
