// The second upstream profile of `npm run bench`: small JSON answers with content-length in one
// write, streams of 10-20 chunks (one write each), and a usage chunk only when the request asks for it.
import { createServer } from "node:http";

let n = 0;
const server = createServer((req, res) => {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    let body = {};
    try {
      body = JSON.parse(Buffer.concat(chunks).toString());
    } catch {}
    const id = `chatcmpl-b${++n}`;
    const created = 1_700_000_000;
    const model = body.model ?? "gpt-4o";
    const words = 10 + (n % 11);
    if (!body.stream) {
      const out = JSON.stringify({
        id,
        object: "chat.completion",
        created,
        model,
        choices: [{ index: 0, message: { role: "assistant", content: "word ".repeat(words).trim() }, finish_reason: "stop" }],
        usage: { prompt_tokens: 12, completion_tokens: words, total_tokens: 12 + words },
      });
      res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(out) });
      res.end(out);
      return;
    }
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
    const chunk = (delta, finish = null) =>
      `data: ${JSON.stringify({ id, object: "chat.completion.chunk", created, model, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
    res.write(chunk({ role: "assistant", content: "" }));
    for (let i = 0; i < words - 2; i++) res.write(chunk({ content: "word " }));
    res.write(chunk({}, "stop"));
    if (body.stream_options?.include_usage) {
      res.write(
        `data: ${JSON.stringify({ id, object: "chat.completion.chunk", created, model, choices: [], usage: { prompt_tokens: 12, completion_tokens: words, total_tokens: 12 + words } })}\n\n`,
      );
    }
    res.end("data: [DONE]\n\n");
  });
});
server.keepAliveTimeout = 65_000;
server.listen(Number(process.env.PORT ?? 0), "127.0.0.1", () => {
  process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`);
});
process.on("SIGTERM", () => process.exit(0));
