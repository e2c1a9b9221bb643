// A streaming upstream for the concurrency bench: every chat completion is an SSE stream of CHUNKS
// chunks, one at once and one every STREAM_MS / CHUNKS after it, ending at STREAM_MS (a "2-second
// stream"), nothing else. HTTP/1.1 (plain or TLS) or HTTP/2
// (TLS with ALPN, HTTP/1.1 still accepted). Prints {"port":N}; counts the connections it accepted.
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { createSecureServer } from "node:http2";
import { createServer as createHttpsServer } from "node:https";

const STREAM_MS = Number(process.env.STREAM_MS ?? 2000);
const CHUNKS = Number(process.env.CHUNKS ?? 10);
const tls = process.env.TLS_KEY ? { key: readFileSync(process.env.TLS_KEY), cert: readFileSync(process.env.TLS_CERT) } : undefined;
const h2 = process.env.HTTP2 === "1";
let connections = 0;
let open = 0;
let peakOpen = 0;

const chunk = (i) =>
  `data: ${JSON.stringify({ id: "c", object: "chat.completion.chunk", created: 1, model: "m", choices: [{ index: 0, delta: { content: `t${i} ` }, finish_reason: null }] })}\n\n`;
const last = `data: ${JSON.stringify({ id: "c", object: "chat.completion.chunk", created: 1, model: "m", choices: [{ index: 0, delta: {}, finish_reason: "stop" }], usage: { prompt_tokens: 5, completion_tokens: CHUNKS, total_tokens: 5 + CHUNKS } })}\n\ndata: [DONE]\n\n`;

function handle(req, res) {
  if (req.url === "/stats") {
    res.writeHead(200, { "content-type": "application/json" });
    return res.end(JSON.stringify({ connections, open, peakOpen }));
  }
  req.resume();
  req.on("end", () => {
    open++;
    if (open > peakOpen) peakOpen = open;
    res.writeHead(200, { "content-type": "text/event-stream" });
    let i = 0;
    const every = STREAM_MS / CHUNKS;
    const tick = () => {
      if (res.destroyed) return void open--;
      if (i < CHUNKS) {
        res.write(chunk(i++));
        setTimeout(tick, every);
      } else {
        open--;
        res.end(chunk(i) + last);
      }
    };
    res.write(chunk(i++));
    setTimeout(tick, every);
  });
}

const server = h2 ? createSecureServer({ ...tls, allowHTTP1: true }, handle) : tls ? createHttpsServer(tls, handle) : createServer(handle);
server.keepAliveTimeout = 120_000;
server.on(tls ? "secureConnection" : "connection", () => connections++);
server.listen(Number(process.env.PORT ?? 0), "127.0.0.1", () =>
  process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`),
);
process.on("SIGTERM", () => process.exit(0));
