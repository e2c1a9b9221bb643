import { createServer, type IncomingMessage, type Server } from "node:http";
import { type AddressInfo, connect, type Socket } from "node:net";

/**
 * An HTTP CONNECT egress proxy for tests: it requires `user:password` (Basic, `Proxy-Authorization`),
 * answers 407 to anything else, and counts the tunnels it opened and the targets they went to.
 */
export interface ConnectProxy {
  readonly url: string;
  /** The URL with credentials: `http://user:password@127.0.0.1:port`. */
  urlWith(user: string, password: string): string;
  /** `host:port` of every tunnel opened, in order. */
  readonly tunnels: string[];
  /** CONNECT requests refused for want of the right credentials. */
  refused: number;
  close(): Promise<void>;
}

export async function startConnectProxy(user: string, password: string): Promise<ConnectProxy> {
  const expected = `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
  const tunnels: string[] = [];
  const sockets = new Set<Socket>();
  const state = { refused: 0 };
  const server: Server = createServer((_req, res) => res.writeHead(405).end());
  server.on("connection", (s: Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  server.on("connect", (req: IncomingMessage, client: Socket, head: Buffer) => {
    if (req.headers["proxy-authorization"] !== expected) {
      state.refused++;
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test"\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    const [host, port] = (req.url ?? "").split(":");
    const upstream = connect(Number(port), host ?? "127.0.0.1", () => {
      tunnels.push(req.url ?? "");
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on("close", () => sockets.delete(upstream));
    upstream.on("error", () => client.destroy());
    client.on("error", () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    urlWith: (u, p) => `http://${encodeURIComponent(u)}:${encodeURIComponent(p)}@127.0.0.1:${port}`,
    tunnels,
    get refused() {
      return state.refused;
    },
    set refused(n: number) {
      state.refused = n;
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
