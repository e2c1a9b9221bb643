// The floor for a Node gateway: node:http in, undici out, no logic at all (bodies piped through).
import { createServer } from "node:http";
import { Agent } from "undici";

const upstream = new URL(process.env.UPSTREAM);
const agent = new Agent({ connections: 256, keepAliveTimeout: 30_000 });
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
