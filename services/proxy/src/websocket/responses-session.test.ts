import type { IncomingMessage, ServerResponse } from "node:http";
import { describe, expect, it } from "vitest";
import { ResponsesSession } from "./responses-session.js";
import { TurnResponse, type TurnSink } from "./turn-bridge.js";
import { turnHeaders } from "./turn-request.js";

/** A session whose turns are served by a fake pipeline that records the bodies it got and answers an SSE stream. */
function world(maxStateBytes: number) {
  const frames: string[] = [];
  const bodies: Record<string, unknown>[] = [];
  const sink: TurnSink = {
    send: (t) => frames.push(t),
    buffered: () => 0,
    onceDrained: () => {},
    closeSlow: () => {},
    sendMany: (ts) => {
      for (const t of ts) frames.push(t);
    },
  };
  let n = 0;
  const serve = async (req: IncomingMessage, res: ServerResponse) => {
    // Read as the request handler reads a body (http/read-body.ts): `data` events, then `end`.
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    await new Promise((resolve) => req.on("end", resolve));
    // The body as the Responses ingress reads it: handed over parsed, else the bytes.
    bodies.push((req as { parsedBody?: Record<string, unknown> }).parsedBody ?? JSON.parse(Buffer.concat(chunks).toString()));
    const id = `resp_${++n}`;
    const output = [{ type: "message", role: "assistant", content: [{ type: "output_text", text: "x".repeat(100) }] }];
    res.writeHead(200, { "content-type": "text/event-stream" });
    res.end(`data: ${JSON.stringify({ type: "response.completed", sequence_number: 0, response: { id, output } })}\n\n`);
  };
  const session = new ResponsesSession(
    sink,
    turnHeaders({}),
    undefined,
    serve,
    { maxStateBytes, maxBufferedBytes: 1 << 20, maxQueued: 4, maxLanes: 3 },
    (r) => new TurnResponse(sink, r, 1 << 20),
  );
  const settled = async () => {
    while (!session.idle) await new Promise((r) => setImmediate(r));
  };
  return { frames, bodies, session, settled };
}

describe("ResponsesSession", () => {
  it("continues a store:false response from the socket's state: the history is sent, previous_response_id is not", async () => {
    const w = world(1 << 20);
    w.session.message(JSON.stringify({ type: "response.create", model: "m", input: "first", store: false }));
    await w.settled();
    w.session.message(
      JSON.stringify({ type: "response.create", model: "m", input: "second", store: false, previous_response_id: "resp_1" }),
    );
    await w.settled();
    const second = w.bodies[1] as { input: { role?: string; content?: unknown }[]; previous_response_id?: string; stream: boolean };
    expect(second.previous_response_id).toBeUndefined();
    expect(second.stream).toBe(true);
    expect(second.input.map((i) => i.role)).toEqual(["user", "assistant", "user"]);
    expect(JSON.stringify(second.input)).toContain("first");
  });

  it("keeps no state over its byte bound: the continuation goes to the store (which answers not found)", async () => {
    const w = world(200);
    w.session.message(JSON.stringify({ type: "response.create", model: "m", input: "y".repeat(300), store: false }));
    await w.settled();
    w.session.message(JSON.stringify({ type: "response.create", model: "m", input: "next", store: false, previous_response_id: "resp_1" }));
    await w.settled();
    expect((w.bodies[1] as { previous_response_id?: string }).previous_response_id).toBe("resp_1");
  });

  it("a stored turn leaves no socket state (stored responses continue through the store)", async () => {
    const w = world(1 << 20);
    w.session.message(JSON.stringify({ type: "response.create", model: "m", input: "first" }));
    await w.settled();
    w.session.message(JSON.stringify({ type: "response.create", model: "m", input: "second", previous_response_id: "resp_1" }));
    await w.settled();
    expect((w.bodies[1] as { previous_response_id?: string }).previous_response_id).toBe("resp_1");
  });

  it("an event nested deeper than the body limit allows is refused before it is parsed; the handler gets it parsed", async () => {
    const w = world(1 << 20);
    w.session.message(`{"type":"response.create","model":"m","input":${"[".repeat(200)}${"]".repeat(200)}}`);
    expect(JSON.parse(w.frames[0] as string)).toMatchObject({ type: "error", status: 400, error: { code: "json_too_deep" } });
    expect(w.bodies).toHaveLength(0);
    w.session.message(JSON.stringify({ type: "response.create", model: "m", input: "hi", stream_id: "s" }));
    await w.settled();
    expect(w.bodies[0]).toEqual({ model: "m", input: "hi", stream: true });
  });

  it("background and generate:false: refused, and answered without a model call", async () => {
    const w = world(1 << 20);
    w.session.message(JSON.stringify({ type: "response.create", model: "m", input: "x", background: true }));
    await w.settled();
    expect(JSON.parse(w.frames[0] as string)).toMatchObject({ type: "error", status: 400, error: { param: "background" } });
    w.session.message(JSON.stringify({ type: "response.create", model: "m", input: "tools ahead", store: false, generate: false }));
    await w.settled();
    expect(w.bodies).toHaveLength(0);
    const done = JSON.parse(w.frames.at(-1) as string) as { type: string; response: { id: string } };
    expect(done.type).toBe("response.completed");
    w.session.message(
      JSON.stringify({ type: "response.create", model: "m", input: "go", store: false, previous_response_id: done.response.id }),
    );
    await w.settled();
    expect(JSON.stringify(w.bodies[0])).toContain("tools ahead");
  });
});
