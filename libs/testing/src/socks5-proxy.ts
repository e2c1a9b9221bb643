import { type AddressInfo, connect, createServer, type Socket } from "node:net";

/**
 * A SOCKS5 proxy for tests (RFC 1928 CONNECT, RFC 1929 user/password): it requires `user:password`,
 * refuses anything else, and counts the tunnels it opened and the targets they went to.
 */
export interface Socks5Proxy {
  readonly port: number;
  urlWith(user: string, password: string): string;
  /** `host:port` of every tunnel opened, in order. */
  readonly tunnels: string[];
  /** Handshakes refused for want of the right credentials. */
  readonly refused: number;
  close(): Promise<void>;
}

export async function startSocks5Proxy(user: string, password: string): Promise<Socks5Proxy> {
  const tunnels: string[] = [];
  const sockets = new Set<Socket>();
  const state = { refused: 0 };
  const server = createServer((client) => {
    sockets.add(client);
    client.on("close", () => sockets.delete(client));
    client.on("error", () => client.destroy());
    let buf = Buffer.alloc(0);
    let stage: "greeting" | "auth" | "request" = "greeting";
    const onData = (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (stage === "greeting") {
        if (buf.length < 2 || buf.length < 2 + (buf[1] as number)) return;
        const methods = buf.subarray(2, 2 + (buf[1] as number));
        buf = buf.subarray(2 + (buf[1] as number));
        if (!methods.includes(0x02)) return void client.end(Buffer.from([5, 0xff]));
        client.write(Buffer.from([5, 0x02]));
        stage = "auth";
      }
      if (stage === "auth") {
        if (buf.length < 2) return;
        const ulen = buf[1] as number;
        if (buf.length < 3 + ulen) return;
        const plen = buf[2 + ulen] as number;
        if (buf.length < 3 + ulen + plen) return;
        const u = buf.subarray(2, 2 + ulen).toString();
        const p = buf.subarray(3 + ulen, 3 + ulen + plen).toString();
        buf = buf.subarray(3 + ulen + plen);
        if (u !== user || p !== password) {
          state.refused++;
          return void client.end(Buffer.from([1, 1]));
        }
        client.write(Buffer.from([1, 0]));
        stage = "request";
      }
      if (stage === "request") {
        if (buf.length < 5) return;
        const atyp = buf[3] as number;
        const addrLen = atyp === 1 ? 4 : atyp === 4 ? 16 : 1 + (buf[4] as number);
        if (buf.length < 4 + addrLen + 2) return;
        const addr = buf.subarray(4, 4 + addrLen);
        const host = atyp === 1 ? [...addr].join(".") : atyp === 3 ? addr.subarray(1).toString() : "::1";
        const port = buf.readUInt16BE(4 + addrLen);
        const rest = buf.subarray(4 + addrLen + 2);
        client.off("data", onData);
        const upstream = connect(port, host, () => {
          tunnels.push(`${host}:${port}`);
          client.write(Buffer.from([5, 0, 0, 1, 0, 0, 0, 0, 0, 0]));
          if (rest.length > 0) upstream.write(rest);
          upstream.pipe(client);
          client.pipe(upstream);
        });
        sockets.add(upstream);
        upstream.on("close", () => sockets.delete(upstream));
        upstream.on("error", () => client.end(Buffer.from([5, 5, 0, 1, 0, 0, 0, 0, 0, 0])));
      }
    };
    client.on("data", onData);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    urlWith: (u, p) => `socks5://${encodeURIComponent(u)}:${encodeURIComponent(p)}@127.0.0.1:${port}`,
    tunnels,
    get refused() {
      return state.refused;
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
