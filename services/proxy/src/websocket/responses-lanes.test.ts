import type { IncomingMessage, ServerResponse } from "node:http";
import { describe, expect, it } from "vitest";
import { ResponsesSession } from "./responses-session.js";
import { TurnResponse, type TurnSink } from "./turn-bridge.js";
import { turnHeaders } from "./turn-request.js";

type Json = Record<string, any>;

/**
 * A session over a fake pipeline: each turn answers `response.created` then `response.completed`; a turn
 * whose input starts with "hold" waits between the two until `release()` is called.
 */
function world() {
  const frames: Json[] = [];
  const bodies: Json[] = [];
  const sink: TurnSink = {
    send: (t) => frames.push(JSON.parse(t)),
    buffered: () => 0,
    onceDrained: () => {},
    closeSlow: () => {},
    sendMany: (ts) => {
      for (const t of ts) frames.push(JSON.parse(t));
    },
  };
  const held: (() => void)[] = [];
  let n = 0;
  const serve = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    await new Promise((resolve) => req.on("end", resolve));
    // The body as the Responses ingress reads it: handed over parsed, else the bytes.
    const body = ((req as { parsedBody?: Json }).parsedBody ?? JSON.parse(Buffer.concat(chunks).toString())) as Json;
    bodies.push(body);
    const id = `resp_${++n}`;
    res.writeHead(200, { "content-type": "text/event-stream" });
    res.write(`event: response.created\ndata: ${JSON.stringify({ type: "response.created", sequence_number: 0, response: { id } })}\n\n`);
    const text = JSON.stringify(body.input);
    if (text.includes("hold")) await new Promise<void>((resolve) => held.push(resolve));
    const output = [{ type: "message", role: "assistant", content: [{ type: "output_text", text: `answer to ${text}` }] }];
    res.end(`data: ${JSON.stringify({ type: "response.completed", sequence_number: 1, response: { id, output } })}\n\n`);
  };
  const session = new ResponsesSession(
    sink,
    turnHeaders({}),
    undefined,
    serve,
    { maxStateBytes: 1 << 20, maxBufferedBytes: 1 << 20, maxQueued: 8, maxLanes: 3 },
    (r) => new TurnResponse(sink, r, 1 << 20),
  );
  const settled = async () => {
    while (!session.idle) await new Promise((r) => setImmediate(r));
  };
  const tick = () => new Promise((r) => setImmediate(r));
  const send = (ev: Json) => session.message(JSON.stringify(ev));
  return { frames, bodies, session, settled, tick, send, release: () => held.shift()?.() };
}

describe("ResponsesSession lanes (stream_id)", () => {
  it("runs lanes side by side, each lane in order, and every event of a lane carries its stream_id", async () => {
    const w = world();
    w.send({ type: "response.create", stream_id: "a", model: "m", input: "hold a1", store: false });
    w.send({ type: "response.create", stream_id: "a", model: "m", input: "a2", store: false });
    w.send({ type: "response.create", stream_id: "b", model: "m", input: "b1", store: false });
    await w.tick();
    await w.tick();
    // Lane b's turn finished while lane a's first one is still held, and a's second waits behind it.
    await expect
      .poll(() => w.frames.filter((f) => f.stream_id === "b").map((f) => f.type))
      .toEqual(["response.created", "response.completed"]);
    expect(w.frames.filter((f) => f.stream_id === "a").map((f) => f.type)).toEqual(["response.created"]);
    expect(w.bodies.map((b) => JSON.stringify(b.input))).toEqual(['"hold a1"', '"b1"']);
    w.release();
    await w.settled();
    const a = w.frames.filter((f) => f.stream_id === "a");
    expect(a.map((f) => f.type)).toEqual(["response.created", "response.completed", "response.created", "response.completed"]);
    expect(JSON.stringify(a[3]?.response.output)).toContain("a2");
    // The lane's id is the router's business on the socket only: never sent upstream.
    for (const b of w.bodies) expect(b.stream_id).toBeUndefined();
  });

  it("a new lane forks from a store:false response of another lane (previous_response_id decides lineage)", async () => {
    const w = world();
    w.send({ type: "response.create", stream_id: "a", model: "m", input: "root", store: false });
    await w.settled();
    const root = w.frames.at(-1)?.response.id as string;
    w.send({ type: "response.create", stream_id: "a", model: "m", input: "a-next", store: false, previous_response_id: root });
    w.send({ type: "response.create", stream_id: "fork", model: "m", input: "fork-next", store: false, previous_response_id: root });
    await w.settled();
    for (const b of w.bodies.slice(1)) {
      expect(b.previous_response_id).toBeUndefined();
      expect(JSON.stringify(b.input)).toContain("root");
    }
  });

  it("refuses a bad stream_id, too many lanes, and errors on a lane carry its stream_id", async () => {
    const w = world();
    w.send({ type: "response.create", stream_id: "bad id!", model: "m", input: "x" });
    expect(w.frames.at(-1)).toMatchObject({ type: "error", status: 400, error: { param: "stream_id" } });
    for (const id of ["l1", "l2", "l3"]) w.send({ type: "response.create", stream_id: id, model: "m", input: "x" });
    await w.settled();
    w.send({ type: "response.create", stream_id: "l4", model: "m", input: "x" });
    expect(w.frames.at(-1)).toMatchObject({ type: "error", status: 429, error: { code: "too_many_streams" }, stream_id: "l4" });
    w.send({ type: "response.create", stream_id: "l2", model: "m", input: "x", background: true });
    await w.settled();
    expect(w.frames.at(-1)).toMatchObject({ type: "error", error: { param: "background" }, stream_id: "l2" });
  });

  it("response.steer: the input is handed back with response.steer.failed (steering_not_supported) on the target's lane", async () => {
    const w = world();
    w.send({ type: "response.create", stream_id: "a", model: "m", input: "hold", store: false });
    await w.tick();
    await expect.poll(() => w.frames.length).toBe(1);
    const id = w.frames[0]?.response.id as string;
    w.send({ type: "response.steer", previous_response_id: id, input: "also this" });
    expect(w.frames.at(-1)).toEqual({
      type: "response.steer.failed",
      sequence_number: 0,
      steer: { input: "also this", previous_response_id: id },
      error: { type: "invalid_request_error", code: "steering_not_supported", message: expect.any(String) },
      stream_id: "a",
    });
    w.send({ type: "response.steer", input: "no target" });
    expect(w.frames.at(-1)).toMatchObject({ type: "response.steer.failed", error: { code: "invalid_input" } });
    w.release();
    await w.settled();
  });
});
