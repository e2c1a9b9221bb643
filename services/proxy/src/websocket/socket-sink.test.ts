import { Duplex } from "node:stream";
import { describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { socketSink } from "./socket-sink.js";

/** A TCP socket stand-in that records each call that would be a system call (`_write` or `_writev`). */
function fakeSocket() {
  const calls: Buffer[][] = [];
  const raw = new Duplex({
    read() {},
    write(chunk: Buffer, _enc, cb) {
      calls.push([chunk]);
      cb();
    },
    writev(chunks, cb) {
      calls.push(chunks.map((c) => c.chunk as Buffer));
      cb();
    },
  });
  return { raw, calls };
}

/** Payloads of the unmasked text frames in `buf` (short ones: 7-bit lengths). */
function payloads(buf: Buffer): string[] {
  const out: string[] = [];
  for (let at = 0; at < buf.length; ) {
    expect(buf[at]).toBe(0x81);
    const n = buf[at + 1] as number;
    out.push(buf.toString("utf8", at + 2, at + 2 + n));
    at += 2 + n;
  }
  return out;
}

describe("socketSink", () => {
  it("what one tick sends leaves in one write, in order, as text frames; the next tick's in another", async () => {
    const { raw, calls } = fakeSocket();
    const ws = { readyState: WebSocket.OPEN, bufferedAmount: 0 } as unknown as WebSocket;
    const sink = socketSink(ws, raw, () => {});
    sink.send('{"type":"a"}');
    sink.sendMany(['{"type":"b"}', '{"type":"c"}']);
    expect(calls).toHaveLength(0);
    await new Promise((r) => process.nextTick(r));
    expect(calls).toHaveLength(1);
    expect(payloads(Buffer.concat(calls[0] as Buffer[]))).toEqual(['{"type":"a"}', '{"type":"b"}', '{"type":"c"}']);
    sink.send('{"type":"d"}');
    await new Promise((r) => process.nextTick(r));
    expect(calls).toHaveLength(2);
    expect(payloads(Buffer.concat(calls[1] as Buffer[]))).toEqual(['{"type":"d"}']);
  });

  it("writes nothing once the socket is no longer open", async () => {
    const { raw, calls } = fakeSocket();
    const ws = { readyState: WebSocket.CLOSING, bufferedAmount: 0 } as unknown as WebSocket;
    socketSink(ws, raw, () => {}).send('{"type":"late"}');
    await new Promise((r) => setImmediate(r));
    expect(calls).toHaveLength(0);
  });
});
