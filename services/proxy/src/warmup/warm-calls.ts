/** One request the warm-up sends. */
export interface WarmCall {
  path: string;
  headers: Record<string, string>;
  body: string;
}

const json = { "content-type": "application/json" };
const anthropic = { "content-type": "application/json", "anthropic-version": "2023-06-01" };
const hello = "Hello, how are you today? Tell me something nice.";

/** Every ingress, JSON and SSE, with the bodies real clients send, for one model. */
function callsFor(model: string): WarmCall[] {
  const chat = (extra: object) =>
    JSON.stringify(Object.assign({ model, messages: [{ role: "user", content: hello }], max_tokens: 64 }, extra));
  const messages = (stream: boolean) => JSON.stringify({ model, max_tokens: 64, stream, messages: [{ role: "user", content: hello }] });
  const responses = (stream: boolean) => JSON.stringify({ model, input: hello, max_output_tokens: 64, stream });
  const gemini = JSON.stringify({ contents: [{ role: "user", parts: [{ text: hello }] }], generationConfig: { maxOutputTokens: 64 } });
  return [
    { path: "/v1/chat/completions", headers: json, body: chat({}) },
    { path: "/v1/chat/completions", headers: json, body: chat({ stream: true, stream_options: { include_usage: true } }) },
    // A stream whose client does not ask for usage: the router asks upstream for it and strips it.
    { path: "/v1/chat/completions", headers: json, body: chat({ stream: true }) },
    { path: "/v1/messages", headers: anthropic, body: messages(false) },
    { path: "/v1/messages", headers: anthropic, body: messages(true) },
    { path: "/v1/responses", headers: json, body: responses(false) },
    { path: "/v1/responses", headers: json, body: responses(true) },
    { path: `/v1beta/models/${model}:generateContent`, headers: json, body: gemini },
    { path: `/v1beta/models/${model}:streamGenerateContent?alt=sse`, headers: json, body: gemini },
  ];
}

/**
 * One round of the warm-up: every call for a priced model whose target names its upstream model and
 * for a plain one (both shapes of table objects real tables have), and an embedding. Chat completions,
 * most of real traffic, go three times as often: the code only they run gets compiled first.
 */
export const WARM_CALLS: readonly WarmCall[] = [
  ...callsFor("warm"),
  ...callsFor("warm-plain"),
  ...callsFor("warm").slice(0, 3),
  ...callsFor("warm-plain").slice(0, 3),
  ...callsFor("warm").slice(0, 3),
  ...callsFor("warm-plain").slice(0, 3),
  { path: "/v1/embeddings", headers: json, body: JSON.stringify({ model: "warm-embed", input: hello }) },
];
