import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from "node:http";
import { responsesId } from "@ai-router/providers";
import { MAX_JSON_DEPTH, withinJsonDepth } from "../http/json-depth.js";
import { historyOf, KeptResponses } from "./kept-responses.js";
import { asServerResponse, type TurnResponse, type TurnSink } from "./turn-bridge.js";
import { turnRequest } from "./turn-request.js";

type Json = Record<string, unknown>;

/** Serves one request as the HTTP server would (http/serve-request.ts): the turn's whole pipeline. */
export type ServeTurn = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

export interface ResponsesSessionOptions {
  /** Bytes of `store: false` conversation kept on the socket for the next `previous_response_id`. */
  maxStateBytes: number;
  /** Bytes a slow reader may leave unsent before its socket is closed. */
  maxBufferedBytes: number;
  /** `response.create` events waiting behind the ones being served (all lanes together). */
  maxQueued: number;
  /** `stream_id` lanes per socket (the default lane counts as one). */
  maxLanes: number;
}

/** The WebSocket mode's `error` event (the shape OpenAI sends on the socket), on the lane named by `streamId`. */
export function errorEvent(status: number, code: string, message: string, param: string | null = null, streamId?: string): string {
  const type = status === 401 ? "authentication_error" : status === 429 ? "rate_limit_error" : "invalid_request_error";
  const ev: Json = { type: "error", status, error: { type, code, message, param } };
  if (streamId !== undefined) ev.stream_id = streamId;
  return JSON.stringify(ev);
}

/** A lane's name as OpenAI's SDKs accept it (and so safe to write into events unescaped). */
const STREAM_ID = /^[A-Za-z0-9_.-]{1,256}$/;

/** A client's input (a string is one user message) as items. */
function inputList(input: unknown): Json[] {
  if (typeof input === "string") return [{ type: "message", role: "user", content: [{ type: "input_text", text: input }] }];
  return Array.isArray(input) ? (input as Json[]) : [];
}

/** One lane of a socket (`stream_id`; the default lane has none): its turns run in order, one at a time. */
interface Lane {
  readonly streamId: string | undefined;
  /** Events waiting, each with its bytes as the client sent them. */
  readonly queue: { ev: Json; raw: Buffer }[];
  busy: boolean;
  current: TurnResponse | undefined;
}

/**
 * One Responses WebSocket (`GET /v1/responses` upgraded): `response.create` events in, the response's
 * stream events out. Each turn is one request of the pipeline (routing, failover, key limits, one usage
 * record, metrics, traces), served through the request handler with the event's fields as the body of
 * a streaming `POST /v1/responses`.
 *
 * Lanes (`stream_id`, as OpenAI's reference defines it): events with the same `stream_id` run in the
 * order sent, one at a time; different lanes run side by side (parallel conversations on one socket),
 * and every event of a lane's responses carries its `stream_id`.
 *
 * `store: false` turns stay continuable on this socket: the recent such responses are kept here
 * (together at most `maxStateBytes`) and a turn naming one as `previous_response_id`, on any lane (a
 * fork), is sent with it as history. Stored responses continue through the response store, from
 * any socket on any replica.
 */
export class ResponsesSession {
  private readonly lanes = new Map<string, Lane>();
  /** Events waiting on every lane together. */
  private queued = 0;
  private busyLanes = 0;
  /** Recent `store: false` responses by id; a conversation is assembled only when a turn continues it. */
  private readonly kept: KeptResponses;
  closed = false;
  /** Set on shutdown: the socket closes once the turns in flight (if any) end. */
  onIdle: (() => void) | undefined;

  constructor(
    private readonly sink: TurnSink,
    private readonly headers: IncomingHttpHeaders,
    private readonly remoteAddress: string | undefined,
    private readonly serve: ServeTurn,
    private readonly opts: ResponsesSessionOptions,
    private readonly makeResponse: (req: IncomingMessage) => TurnResponse,
  ) {
    this.kept = new KeptResponses(opts.maxStateBytes);
  }

  get idle(): boolean {
    return this.busyLanes === 0;
  }

  /** One text frame from the client. */
  message(data: Buffer | string): void {
    const raw = typeof data === "string" ? Buffer.from(data) : data;
    // Checked here, as the request handler checks a body: the turn's body is handed over parsed.
    if (!withinJsonDepth(raw)) {
      this.sink.send(errorEvent(400, "json_too_deep", `The event nests arrays and objects deeper than ${MAX_JSON_DEPTH} levels.`));
      return;
    }
    let ev: unknown;
    try {
      ev = JSON.parse(typeof data === "string" ? data : data.toString());
    } catch {
      this.sink.send(errorEvent(400, "invalid_json", "The event is not valid JSON."));
      return;
    }
    if (ev === null || typeof ev !== "object" || Array.isArray(ev)) {
      this.sink.send(errorEvent(400, "invalid_request", "An event is a JSON object with a 'type'."));
      return;
    }
    const e = ev as Json;
    if (e.type === "response.steer") {
      this.steer(e);
      return;
    }
    if (e.type !== "response.create") {
      const name = typeof e.type === "string" ? e.type.slice(0, 64).replace(/[^\w.-]/g, "?") : "";
      this.sink.send(
        errorEvent(
          400,
          "unknown_event_type",
          `Unsupported client event type '${name}'; send 'response.create' or 'response.steer'.`,
          "type",
        ),
      );
      return;
    }
    const sid = e.stream_id;
    if (sid !== undefined && (typeof sid !== "string" || !STREAM_ID.test(sid))) {
      this.sink.send(errorEvent(400, "invalid_value", "'stream_id' is 1-256 letters, digits, '_', '.' or '-'.", "stream_id"));
      return;
    }
    const streamId = sid as string | undefined;
    const lane = this.lane(streamId);
    if (lane === undefined) {
      const msg = `At most ${this.opts.maxLanes} stream_id lanes may be open on one socket.`;
      this.sink.send(errorEvent(429, "too_many_streams", msg, "stream_id", streamId));
      return;
    }
    if (this.queued >= this.opts.maxQueued) {
      const msg = `At most ${this.opts.maxQueued} response.create events may wait on one socket.`;
      this.sink.send(errorEvent(429, "too_many_pending_events", msg, null, streamId));
      return;
    }
    lane.queue.push({ ev: e, raw });
    this.queued++;
    if (!lane.busy) void this.drain(lane);
  }

  /** The client's socket closed: turns in flight are aborted (their upstream calls cancelled, their records kept). */
  close(): void {
    this.closed = true;
    for (const lane of this.lanes.values()) {
      this.queued -= lane.queue.length;
      lane.queue.length = 0;
      lane.current?.destroy();
    }
  }

  /** The lane of `streamId` (made on first use, while fewer than `maxLanes` exist). */
  private lane(streamId: string | undefined): Lane | undefined {
    const k = streamId ?? "";
    let lane = this.lanes.get(k);
    if (lane === undefined) {
      if (this.lanes.size >= this.opts.maxLanes) return undefined;
      lane = { streamId, queue: [], busy: false, current: undefined };
      this.lanes.set(k, lane);
    }
    return lane;
  }

  /**
   * `response.steer` (OpenAI's reference: queue user input for a response's continuation). No target
   * the router translates for can take input mid-response, so the input is handed back at once with
   * `response.steer.failed` (`steering_not_supported`), as the reference answers for a model or mode
   * without steering; the client carries it into its next `response.create`.
   */
  private steer(e: Json): void {
    const prev = e.previous_response_id;
    const ok = typeof prev === "string" && prev.length > 0 && prev.length <= 256;
    let streamId: string | undefined;
    if (typeof prev === "string") streamId = this.kept.get(prev)?.streamId;
    for (const lane of this.lanes.values()) if (lane.current?.responseId === prev) streamId = lane.streamId;
    const ev: Json = {
      type: "response.steer.failed",
      sequence_number: 0,
      steer: { input: e.input ?? null, previous_response_id: ok ? prev : "" },
      error: ok
        ? {
            type: "invalid_request_error",
            code: "steering_not_supported",
            message: "Steering is not supported by this router: send the input with the next response.create.",
          }
        : { type: "invalid_request_error", code: "invalid_input", message: "'previous_response_id' must name a response." },
    };
    if (streamId !== undefined) ev.stream_id = streamId;
    this.sink.send(JSON.stringify(ev));
  }

  private async drain(lane: Lane): Promise<void> {
    lane.busy = true;
    this.busyLanes++;
    try {
      for (let next = lane.queue.shift(); next !== undefined && !this.closed; next = lane.queue.shift()) {
        this.queued--;
        await this.turn(lane, next.ev, next.raw);
      }
    } finally {
      lane.busy = false;
      this.busyLanes--;
      if (this.busyLanes === 0) this.onIdle?.();
    }
  }

  private async turn(lane: Lane, ev: Json, sent: Buffer): Promise<void> {
    const streamId = lane.streamId;
    if (ev.background === true) {
      this.sink.send(errorEvent(400, "unsupported_parameter", "'background' is not supported over WebSocket.", "background", streamId));
      return;
    }
    // The event's fields less the envelope's, copied rather than deleted (`delete` would leave the
    // object in dictionary mode, slower to serialize).
    const body: Json = {};
    for (const k in ev) if (k !== "type" && k !== "generate" && k !== "stream_id") body[k] = ev[k];
    body.stream = true;
    const generate = ev.generate;
    const prev = body.previous_response_id;
    let input = inputList(body.input);
    const kept = typeof prev === "string" ? this.kept.get(prev) : undefined;
    if (kept !== undefined) {
      input = historyOf(kept).concat(input);
      body.input = input;
      body.previous_response_id = undefined;
    }
    if (generate === false) return this.warmUp(lane, body, input);
    // The handler gets the body parsed (not serialized and parsed again) and, for its size and usage
    // estimates, the bytes as sent; a continuation's body (history added) is serialized, to be counted.
    const raw = kept === undefined ? sent : Buffer.from(JSON.stringify(body));
    const req = turnRequest("/v1/responses", this.headers, raw, this.remoteAddress, body);
    const res = this.makeResponse(req);
    if (streamId !== undefined) res.streamId = streamId;
    lane.current = res;
    try {
      await this.serve(req, asServerResponse(res));
    } finally {
      lane.current = undefined;
    }
    const id = body.store === false ? res.finalId : undefined;
    if (id !== undefined) this.kept.keep({ id, streamId, input, final: res.finalText, bytes: raw.length + (res.finalText?.length ?? 0) });
  }

  /**
   * `generate: false`: nothing is generated; the input (and what it continues) becomes a response the
   * next turn can continue on this socket, so a client can send its tools and instructions ahead.
   */
  private warmUp(lane: Lane, body: Json, input: Json[]): void {
    const id = responsesId("resp");
    const response = {
      id,
      object: "response",
      created_at: Math.floor(Date.now() / 1000),
      status: "completed",
      model: body.model,
      output: [],
      usage: { input_tokens: 0, output_tokens: 0, total_tokens: 0 },
    };
    const tag = lane.streamId === undefined ? {} : { stream_id: lane.streamId };
    const created = Object.assign(
      { type: "response.created", sequence_number: 0, response: Object.assign({}, response, { status: "in_progress" }) },
      tag,
    );
    this.sink.send(JSON.stringify(created));
    this.sink.send(JSON.stringify(Object.assign({ type: "response.completed", sequence_number: 1, response }, tag)));
    this.kept.keep({ id, streamId: lane.streamId, input, final: undefined, bytes: JSON.stringify(input).length });
  }
}
