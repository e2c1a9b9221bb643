import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from "node:http";
import { responsesId } from "@ai-router/providers";
import { asHistory } from "../responses/conversation.js";
import { asServerResponse, type TurnResponse, type TurnSink, turnRequest } from "./turn-bridge.js";

type Json = Record<string, unknown>;

/** Serves one request as the HTTP server would (http/serve-request.ts): the turn's whole pipeline. */
export type ServeTurn = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

export interface ResponsesSessionOptions {
  /** Bytes of `store: false` conversation kept on the socket for the next `previous_response_id`. */
  maxStateBytes: number;
  /** Bytes a slow reader may leave unsent before its socket is closed. */
  maxBufferedBytes: number;
  /** `response.create` events waiting behind the one being served. */
  maxQueued: number;
}

/** The WebSocket mode's `error` event (the shape OpenAI sends on the socket). */
export function errorEvent(status: number, code: string, message: string, param: string | null = null): string {
  const type = status === 401 ? "authentication_error" : status === 429 ? "rate_limit_error" : "invalid_request_error";
  return JSON.stringify({ type: "error", status, error: { type, code, message, param } });
}

/** A client's input (a string is one user message) as items. */
function inputList(input: unknown): Json[] {
  if (typeof input === "string") return [{ type: "message", role: "user", content: [{ type: "input_text", text: input }] }];
  return Array.isArray(input) ? (input as Json[]) : [];
}

/**
 * One Responses WebSocket (`GET /v1/responses` upgraded): `response.create` events in, the response's
 * stream events out, one turn at a time in the order sent. Each turn is one request of the pipeline
 * (routing, failover, key limits, one usage record, metrics, traces), served through the request
 * handler with the event's fields as the body of a streaming `POST /v1/responses`.
 *
 * `store: false` turns stay continuable on this socket: the last such response's conversation is kept
 * here (at most `maxStateBytes`) and a turn naming it as `previous_response_id` is sent with it as
 * history. Stored responses continue through the response store, from any socket on any replica.
 */
export class ResponsesSession {
  private readonly queue: Json[] = [];
  private busy = false;
  private current: TurnResponse | undefined;
  /**
   * The last `store: false` response: its id, the input it answered (with its history) and its terminal
   * event as sent; the conversation is assembled only when a turn continues it.
   */
  private state: { id: string; input: Json[]; final: string | undefined } | undefined;
  closed = false;
  /** Set on shutdown: the socket closes once the turn in flight (if any) ends. */
  onIdle: (() => void) | undefined;

  constructor(
    private readonly sink: TurnSink,
    private readonly headers: IncomingHttpHeaders,
    private readonly remoteAddress: string | undefined,
    private readonly serve: ServeTurn,
    private readonly opts: ResponsesSessionOptions,
    private readonly makeResponse: (req: IncomingMessage) => TurnResponse,
  ) {}

  get idle(): boolean {
    return !this.busy;
  }

  /** One text frame from the client. */
  message(text: string): void {
    let ev: unknown;
    try {
      ev = JSON.parse(text);
    } catch {
      this.sink.send(errorEvent(400, "invalid_json", "The event is not valid JSON."));
      return;
    }
    if (ev === null || typeof ev !== "object" || Array.isArray(ev)) {
      this.sink.send(errorEvent(400, "invalid_request", "An event is a JSON object with a 'type'."));
      return;
    }
    const type = (ev as Json).type;
    if (type !== "response.create") {
      const name = typeof type === "string" ? type.slice(0, 64).replace(/[^\w.-]/g, "?") : "";
      this.sink.send(errorEvent(400, "unknown_event_type", `Unsupported client event type '${name}'; send 'response.create'.`, "type"));
      return;
    }
    if (this.queue.length >= this.opts.maxQueued) {
      this.sink.send(
        errorEvent(429, "too_many_pending_events", `At most ${this.opts.maxQueued} response.create events may wait on one socket.`),
      );
      return;
    }
    this.queue.push(ev as Json);
    if (!this.busy) void this.drain();
  }

  /** The client's socket closed: a turn in flight is aborted (its upstream call cancelled, its record kept). */
  close(): void {
    this.closed = true;
    this.queue.length = 0;
    this.current?.destroy();
  }

  private async drain(): Promise<void> {
    this.busy = true;
    try {
      for (let ev = this.queue.shift(); ev !== undefined && !this.closed; ev = this.queue.shift()) await this.turn(ev);
    } finally {
      this.busy = false;
      this.onIdle?.();
    }
  }

  private async turn(ev: Json): Promise<void> {
    if (ev.background === true) {
      this.sink.send(errorEvent(400, "unsupported_parameter", "'background' is not supported over WebSocket.", "background"));
      return;
    }
    // The event is this turn's own parse: it becomes the body as it is.
    const body = ev;
    const generate = body.generate;
    delete body.type;
    delete body.generate;
    body.stream = true;
    const prev = body.previous_response_id;
    const state = this.state;
    let input = inputList(body.input);
    if (state !== undefined && typeof prev === "string" && prev === state.id) {
      input = historyOf(state.input, state.final).concat(input);
      body.input = input;
      delete body.previous_response_id;
    }
    if (generate === false) return this.warmUp(body, input);
    const raw = Buffer.from(JSON.stringify(body));
    const req = turnRequest("/v1/responses", this.headers, raw, this.remoteAddress);
    const res = this.makeResponse(req);
    this.current = res;
    try {
      await this.serve(req, asServerResponse(res));
    } finally {
      this.current = undefined;
    }
    this.keep(body, input, res.finalId, res.finalText, raw.length);
  }

  /**
   * `generate: false`: nothing is generated; the input (and what it continues) becomes a response the
   * next turn can continue on this socket, so a client can send its tools and instructions ahead.
   */
  private warmUp(body: Json, input: Json[]): void {
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
    this.sink.send(
      JSON.stringify({ type: "response.created", sequence_number: 0, response: Object.assign({}, response, { status: "in_progress" }) }),
    );
    this.sink.send(JSON.stringify({ type: "response.completed", sequence_number: 1, response }));
    const bytes = JSON.stringify(input).length;
    this.state = bytes <= this.opts.maxStateBytes ? { id, input, final: undefined } : undefined;
  }

  /** After a `store: false` turn, its conversation is what the next turn may continue (bounded: request plus final event bytes). */
  private keep(body: Json, input: Json[], id: string | undefined, final: string | undefined, requestBytes: number): void {
    const bytes = requestBytes + (final?.length ?? 0);
    this.state = body.store === false && id !== undefined && bytes <= this.opts.maxStateBytes ? { id, input, final } : undefined;
  }
}

/** A kept turn as history: its input, then the output of its terminal event. */
function historyOf(input: Json[], final: string | undefined): Json[] {
  let output: Json[] = [];
  if (final !== undefined) {
    try {
      const out = (JSON.parse(final) as { response?: { output?: unknown } }).response?.output;
      if (Array.isArray(out)) output = out as Json[];
    } catch {
      output = [];
    }
  }
  return asHistory(input).concat(asHistory(output));
}
