import type { Duplex } from "node:stream";
import { WebSocket } from "ws";
import { textFrames } from "./text-frames.js";
import type { TurnSink } from "./turn-bridge.js";

/**
 * A Responses socket as its turns' sink. Frames are written straight to the TCP socket (hand-built,
 * text-frames.ts), behind whatever `ws` queued before (no compression: in order), and what one tick
 * writes leaves in one system call, as Node's HTTP response does (corked until the next tick): a
 * turn's last chunk and its terminal event are one write, not two. Backpressure is the TCP socket's
 * (corked bytes count in `bufferedAmount`, `drain` follows a write past its high-water mark).
 */
export function socketSink(ws: WebSocket, raw: Duplex, closeSlow: () => void): TurnSink {
  let corked = false;
  const uncork = () => {
    corked = false;
    raw.uncork();
  };
  const write = (texts: readonly string[]) => {
    if (ws.readyState !== WebSocket.OPEN) return;
    if (!corked) {
      corked = true;
      raw.cork();
      process.nextTick(uncork);
    }
    raw.write(textFrames(texts));
  };
  const one: string[] = [];
  return {
    send: (text) => {
      one[0] = text;
      write(one);
    },
    buffered: () => ws.bufferedAmount,
    onceDrained: (fn) => raw.once("drain", fn),
    sendMany: write,
    closeSlow,
  };
}
