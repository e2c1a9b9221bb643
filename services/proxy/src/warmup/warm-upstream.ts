import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * The in-process upstream of the start-up warm-up: an OpenAI-style provider on a loopback port that
 * answers chat completions (JSON, or SSE with usage) and embeddings with fixed bodies, so the proxy's
 * request path, its translators and the upstream pool run as they will for real traffic.
 */
export interface WarmUpstream {
  /** `http://127.0.0.1:<port>/v1` */
  baseUrl: string;
  close(): Promise<void>;
}

const CHAT_JSON = JSON.stringify({
  id: "chatcmpl-warm",
  object: "chat.completion",
  created: 1,
  model: "warm",
  choices: [{ index: 0, message: { role: "assistant", content: "Warm and ready." }, finish_reason: "stop" }],
  usage: { prompt_tokens: 12, completion_tokens: 4, total_tokens: 16 },
});

const chunk = (delta: object, finish: string | null) =>
  `data: ${JSON.stringify({ id: "chatcmpl-warm", object: "chat.completion.chunk", created: 1, model: "warm", choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;

const CHAT_SSE =
  chunk({ role: "assistant", content: "" }, null) +
  chunk({ content: "Warm" }, null) +
  chunk({ content: " and" }, null) +
  chunk({ content: " ready." }, null) +
  chunk({}, "stop") +
  `data: ${JSON.stringify({ id: "chatcmpl-warm", object: "chat.completion.chunk", created: 1, model: "warm", choices: [], usage: { prompt_tokens: 12, completion_tokens: 4, total_tokens: 16 } })}\n\n` +
  "data: [DONE]\n\n";

const EMBEDDING_JSON = JSON.stringify({
  object: "list",
  data: [{ object: "embedding", index: 0, embedding: [0.1, 0.2, 0.3] }],
  model: "warm",
  usage: { prompt_tokens: 2, total_tokens: 2 },
});

export async function startWarmUpstream(): Promise<WarmUpstream> {
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const url = req.url ?? "";
      if (url.endsWith("/embeddings")) {
        res.writeHead(200, { "content-type": "application/json" }).end(EMBEDDING_JSON);
        return;
      }
      // The proxy writes `"stream":true` into the body it sends for a streamed request.
      const stream = Buffer.concat(chunks).includes('"stream":true');
      if (stream) res.writeHead(200, { "content-type": "text/event-stream" }).end(CHAT_SSE);
      else res.writeHead(200, { "content-type": "application/json" }).end(CHAT_JSON);
    });
  });
  server.keepAliveTimeout = 10_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
