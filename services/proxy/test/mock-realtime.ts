import { createServer, type IncomingMessage, type Server } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import type { TLSSocket } from "node:tls";
import { WebSocketServer } from "ws";

/** The provider key the mock accepts (the router must send it, never the client's). */
export const PROVIDER_KEY = "sk-provider-realtime";

export interface MockRealtime {
  url: string;
  /** Upgrade requests the mock saw: their URL and headers. */
  seen: IncomingMessage[];
  /** The client certificate's subject CN of each upgrade (TLS with `ca`), or null without one. */
  clientCerts: (string | null)[];
  /** Sockets open on the mock now. */
  open(): number;
  close(): Promise<void>;
}

/** A realtime upstream: 401 without the provider key; answers `response.create` with a response and `response.done` usage. */
export async function startMockRealtime(
  opts: {
    refuse?: boolean;
    tls?: { key: Buffer; cert: Buffer /** Require a client certificate signed by this CA (mTLS). */; ca?: Buffer };
  } = {},
): Promise<MockRealtime> {
  const seen: IncomingMessage[] = [];
  const clientCerts: (string | null)[] = [];
  const notFound = (_req: IncomingMessage, res: import("node:http").ServerResponse) => res.writeHead(404).end();
  const server: Server = opts.tls
    ? createHttpsServer(
        Object.assign(
          { key: opts.tls.key, cert: opts.tls.cert },
          opts.tls.ca ? { ca: opts.tls.ca, requestCert: true, rejectUnauthorized: true } : {},
        ),
        notFound,
      )
    : createServer(notFound);
  const wss = new WebSocketServer({ noServer: true });
  server.on("upgrade", (req, socket, head) => {
    seen.push(req);
    const peer = opts.tls ? (req.socket as TLSSocket).getPeerCertificate() : undefined;
    clientCerts.push(peer?.subject?.CN ?? null);
    if (opts.refuse || req.headers.authorization !== `Bearer ${PROVIDER_KEY}`) {
      socket.end("HTTP/1.1 401 Unauthorized\r\ncontent-length: 0\r\n\r\n");
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.send(JSON.stringify({ type: "session.created", session: { id: "sess_1" } }));
      ws.on("message", (data, isBinary) => {
        if (isBinary) return ws.send(data, { binary: true });
        const ev = JSON.parse(data.toString()) as { type: string; n?: number };
        if (ev.type === "echo") return ws.send(JSON.stringify({ type: "echo", n: ev.n }));
        if (ev.type !== "response.create") return;
        ws.send(JSON.stringify({ type: "response.created", response: { id: "resp_rt" } }));
        ws.send(JSON.stringify({ type: "response.output_audio_transcript.delta", delta: "hi" }));
        const usage = {
          total_tokens: 180,
          input_tokens: 100,
          output_tokens: 80,
          input_token_details: {
            text_tokens: 40,
            audio_tokens: 60,
            cached_tokens: 30,
            cached_tokens_details: { text_tokens: 10, audio_tokens: 20 },
          },
          output_token_details: { text_tokens: 20, audio_tokens: 60 },
        };
        ws.send(JSON.stringify({ type: "response.done", response: { id: "resp_rt", status: "completed", usage } }));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${opts.tls ? "https" : "http"}://127.0.0.1:${port}/v1`,
    seen,
    clientCerts,
    open: () => wss.clients.size,
    async close() {
      for (const c of wss.clients) c.terminate();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
