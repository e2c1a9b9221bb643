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

/** Usage as OpenAI reports it (with details), and as smaller OpenAI-style servers do (vLLM, Ollama). */
const FULL_USAGE = {
  prompt_tokens: 12,
  completion_tokens: 4,
  total_tokens: 16,
  prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
  completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
};
const PLAIN_USAGE = { prompt_tokens: 12, completion_tokens: 4, total_tokens: 16 };

/** A chat answer, JSON and SSE, in OpenAI's full shape or a plain one: real upstreams send both. */
function answers(full: boolean): { json: string; sse: string } {
  const usage = full ? FULL_USAGE : PLAIN_USAGE;
  const extra = full ? { service_tier: "default", system_fingerprint: "fp_warm" } : {};
  const message = full
    ? { role: "assistant", content: "Warm and ready.", refusal: null, annotations: [] }
    : { role: "assistant", content: "Warm and ready." };
  const json = JSON.stringify(
    Object.assign(
      {
        id: "chatcmpl-warm",
        object: "chat.completion",
        created: 1,
        model: "warm",
        choices: [{ index: 0, message, logprobs: null, finish_reason: "stop" }],
        usage,
      },
      extra,
    ),
  );
  const chunk = (delta: object, finish: string | null) =>
    `data: ${JSON.stringify(Object.assign({ id: "chatcmpl-warm", object: "chat.completion.chunk", created: 1, model: "warm", choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] }, extra))}\n\n`;
  const sse =
    chunk({ role: "assistant", content: "" }, null) +
    chunk({ content: "Warm" }, null) +
    chunk({ content: " and" }, null) +
    chunk({ content: " ready." }, null) +
    chunk({}, "stop") +
    `data: ${JSON.stringify(Object.assign({ id: "chatcmpl-warm", object: "chat.completion.chunk", created: 1, model: "warm", choices: [], usage }, extra))}\n\n` +
    "data: [DONE]\n\n";
  return { json, sse };
}
const FULL = answers(true);
const PLAIN = answers(false);

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
      // The proxy writes `"stream":true` into the body it sends for a streamed request; the priced warm
      // model's target (upstream model `warm-1`) gets OpenAI's full shapes, the plain one the small ones.
      const body = Buffer.concat(chunks);
      const a = body.includes('"warm-1"') ? FULL : PLAIN;
      if (body.includes('"stream":true')) res.writeHead(200, { "content-type": "text/event-stream" }).end(a.sse);
      else res.writeHead(200, { "content-type": "application/json" }).end(a.json);
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
