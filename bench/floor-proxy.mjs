// The floor for a Node gateway: node:http in, undici out, no logic at all (bodies piped through).
// An https UPSTREAM is trusted through CA_FILE; HTTP2=1 speaks HTTP/2 to it (ALPN, streams multiplexed).
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { Agent } from "undici";

const upstream = new URL(process.env.UPSTREAM);
const h2 = process.env.HTTP2 === "1";
const agent = new Agent({
  connections: 256,
  keepAliveTimeout: 30_000,
  ...(process.env.CA_FILE ? { connect: { ca: readFileSync(process.env.CA_FILE) } } : {}),
  // undici 7 multiplexes only with pipelining > 1 and idempotent requests (HTTP/2 only: never over HTTP/1.1).
  ...(h2 ? { allowH2: true, pipelining: 100 } : {}),
});
const server = createServer(async (req, res) => {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  try {
    const r = await agent.request({
      origin: upstream.origin,
      path: upstream.pathname.replace(/\/$/, "") + req.url.replace(/^\/v1/, ""),
      method: req.method,
      headers: { "content-type": "application/json", authorization: "Bearer x" },
      body: Buffer.concat(chunks),
      idempotent: h2,
    });
    res.writeHead(r.statusCode, { "content-type": r.headers["content-type"] });
    for await (const c of r.body) res.write(c);
    res.end();
  } catch {
    res.writeHead(502).end();
  }
});
server.keepAliveTimeout = 65_000;
server.listen(Number(process.env.PORT ?? 0), "127.0.0.1", () => {
  process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`);
});
process.on("SIGTERM", () => process.exit(0));
