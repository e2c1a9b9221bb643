/**
 * Server-to-client WebSocket text frames (RFC 6455 §5.2: FIN, opcode 1, unmasked) for several messages
 * in one buffer, so the events of one upstream chunk leave in one socket write instead of a frame
 * (header, payload, write) each: over a socket a turn then costs what it costs over HTTP, where a
 * chunk's events go out in one write too.
 */
export function textFrames(messages: readonly string[]): Buffer {
  let total = 0;
  const sizes = new Array<number>(messages.length);
  for (let i = 0; i < messages.length; i++) {
    const n = Buffer.byteLength(messages[i] as string);
    sizes[i] = n;
    total += n + (n < 126 ? 2 : n < 65_536 ? 4 : 10);
  }
  const out = Buffer.allocUnsafe(total);
  let at = 0;
  for (let i = 0; i < messages.length; i++) {
    const n = sizes[i] as number;
    out[at++] = 0x81;
    if (n < 126) out[at++] = n;
    else if (n < 65_536) {
      out[at++] = 126;
      out.writeUInt16BE(n, at);
      at += 2;
    } else {
      out[at++] = 127;
      out.writeUInt32BE(Math.floor(n / 2 ** 32), at);
      out.writeUInt32BE(n >>> 0, at + 4);
      at += 8;
    }
    at += out.write(messages[i] as string, at, "utf8");
  }
  return out;
}
