import { describe, expect, it } from "vitest";
import { Receiver } from "ws";
import { textFrames } from "./text-frames.js";

describe("textFrames", () => {
  it("encodes messages of every length class as frames a WebSocket receiver reads back, in order", async () => {
    const messages = ["", "é", "x".repeat(125), "y".repeat(126), "z".repeat(65_535), "€".repeat(30_000), "w".repeat(70_000)];
    const got: string[] = [];
    const r = new Receiver({ isServer: false });
    r.on("message", (data: Buffer, isBinary: boolean) => {
      expect(isBinary).toBe(false);
      got.push(data.toString());
    });
    const frames = textFrames(messages);
    // Fed in odd-sized pieces, as a socket delivers them.
    for (let i = 0; i < frames.length; i += 7_777) r.write(frames.subarray(i, i + 7_777));
    await new Promise((resolve) => setImmediate(resolve));
    expect(got).toEqual(messages);
  });
});
