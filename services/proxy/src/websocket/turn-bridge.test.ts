import { describe, expect, it } from "vitest";
import { responseIdOf, TURN_HIGH_WATER, TurnResponse, type TurnSink } from "./turn-bridge.js";
import { turnHeaders, turnRequest } from "./turn-request.js";

/** A sink recording frames, with a settable send buffer. */
function sink() {
  const s = {
    frames: [] as string[],
    bufferedBytes: 0,
    drained: [] as (() => void)[],
    slow: 0,
    send: (t: string) => s.frames.push(t),
    buffered: () => s.bufferedBytes,
    onceDrained: (fn: () => void) => s.drained.push(fn),
    closeSlow: () => s.slow++,
    sendMany: (ts) => {
      for (const t of ts) s.frames.push(t);
    },
  };
  return s satisfies TurnSink;
}

const req = () =>
  turnRequest("/v1/responses", turnHeaders({ authorization: "Bearer k", upgrade: "websocket" }), Buffer.from("{}"), undefined);

describe("TurnResponse", () => {
  it("sends each SSE event's data as one frame, joining events split across writes (CRLF too)", () => {
    const s = sink();
    const r = new TurnResponse(s, req(), 1 << 20);
    r.writeHead(200, { "content-type": "text/event-stream; charset=utf-8" });
    r.write('event: response.created\ndata: {"type":"response.created","sequence_number":0}\n\nevent: a\ndata: {"type":"a",');
    expect(s.frames).toEqual(['{"type":"response.created","sequence_number":0}']);
    // A multi-byte character split between two Buffers arrives whole.
    const euro = Buffer.from('"t":"€"}\r\n\r\n');
    r.write(euro.subarray(0, 7));
    r.write(euro.subarray(7));
    r.end('data: {"type":"response.completed","response":{"id":"resp_1","output":[]}}\n\ndata: [DONE]\n\n');
    expect(s.frames.slice(1)).toEqual(['{"type":"a","t":"€"}', '{"type":"response.completed","response":{"id":"resp_1","output":[]}}']);
    expect(r.finalId).toBe("resp_1");
    expect(r.finalText).toBe('{"type":"response.completed","response":{"id":"resp_1","output":[]}}');
    expect(r.writableFinished).toBe(true);
  });

  it("event lines (a translated stream): one frame per line, split lines joined, the lane's stream_id on each", () => {
    const s = sink();
    const r = new TurnResponse(s, req(), 1 << 20);
    r.streamId = "lane-1";
    r.eventLines = true;
    r.writeHead(200, { "content-type": "text/event-stream; charset=utf-8" });
    r.write('{"type":"response.created","sequence_number":0,"response":{"id":"resp_9"}}\n{"type":"a","x":"par');
    expect(r.responseId).toBe("resp_9");
    r.end('tial"}\n{"type":"response.completed","sequence_number":2,"response":{"id":"resp_9","output":[]}}\n');
    expect(s.frames.map((f) => JSON.parse(f))).toEqual([
      { type: "response.created", sequence_number: 0, response: { id: "resp_9" }, stream_id: "lane-1" },
      { type: "a", x: "partial", stream_id: "lane-1" },
      { type: "response.completed", sequence_number: 2, response: { id: "resp_9", output: [] }, stream_id: "lane-1" },
    ]);
    expect(r.finalId).toBe("resp_9");
  });

  it("a JSON error answer becomes the WebSocket mode's error event with its status", () => {
    const s = sink();
    const r = new TurnResponse(s, req(), 1 << 20);
    r.writeHead(429, { "content-type": "application/json" });
    r.end(JSON.stringify({ error: { type: "rate_limit_error", code: "rate_limited", message: "slow down", param: null } }));
    expect(JSON.parse(s.frames[0] as string)).toEqual({
      type: "error",
      status: 429,
      error: { type: "rate_limit_error", code: "rate_limited", message: "slow down", param: null },
    });
  });

  it("backpressure: false above the high-water mark, then drain; past the bound the socket is closed as too slow", () => {
    const s = sink();
    const r = new TurnResponse(s, req(), 1 << 20);
    let drains = 0;
    let closes = 0;
    r.on("drain", () => drains++);
    r.on("close", () => closes++);
    r.writeHead(200, { "content-type": "text/event-stream" });
    expect(r.write('data: {"a":1}\n\n')).toBe(true);
    s.bufferedBytes = TURN_HIGH_WATER + 1;
    expect(r.write('data: {"a":2}\n\n')).toBe(false);
    s.bufferedBytes = 0;
    for (const fn of s.drained.splice(0)) fn();
    expect(drains).toBe(1);
    s.bufferedBytes = (1 << 20) + 1;
    expect(r.write('data: {"a":3}\n\n')).toBe(false);
    expect(s.slow).toBe(1);
    expect(r.destroyed).toBe(true);
    expect(closes).toBe(1);
  });

  it("the turn's request carries the upgrade's key but not its WebSocket or length headers", () => {
    const r = req();
    expect(r.headers.authorization).toBe("Bearer k");
    expect(r.headers.upgrade).toBeUndefined();
    expect(r.headers["content-length"]).toBe("2");
    expect(r.method).toBe("POST");
  });

  it("reads a terminal event's response id from its head, or by parsing it when the fields come in another order", () => {
    expect(responseIdOf('{"type":"response.completed","sequence_number":9,"response":{"id":"resp_a","output":[]}}')).toBe("resp_a");
    expect(responseIdOf('{"response":{"status":"completed","id":"resp_b"},"type":"response.completed"}')).toBe("resp_b");
    expect(responseIdOf("{not json")).toBeUndefined();
  });
});
