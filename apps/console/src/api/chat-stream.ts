import { ApiError } from "./client.js";

export interface ChatResult {
  text: string;
  provider: string | null;
  upstreamModel: string | null;
  requestId: string | null;
  ttftMs: number | null;
  latencyMs: number;
  usage: { prompt_tokens?: number; completion_tokens?: number } | null;
}

const PLAYGROUND_KEY = "ai-router.playground-key";
export const getPlaygroundKey = () => sessionStorage.getItem(PLAYGROUND_KEY) ?? "";
export const setPlaygroundKey = (k: string) => (k ? sessionStorage.setItem(PLAYGROUND_KEY, k) : sessionStorage.removeItem(PLAYGROUND_KEY));

/**
 * Sends one streamed chat to the data plane on this origin (a proxy, or the control plane passing it to
 * ROUTER_PROXY_URL) with a client key, and reports text as it arrives. The admin token is never sent here.
 */
export async function streamChat(
  opts: { model: string; messages: { role: string; content: string }[]; clientKey: string; signal?: AbortSignal },
  onText: (textSoFar: string) => void,
): Promise<ChatResult> {
  const started = performance.now();
  const res = await fetch("/v1/chat/completions", {
    method: "POST",
    headers: { "content-type": "application/json", ...(opts.clientKey ? { authorization: `Bearer ${opts.clientKey}` } : {}) },
    body: JSON.stringify({ model: opts.model, messages: opts.messages, stream: true, stream_options: { include_usage: true } }),
    signal: opts.signal ?? null,
  });
  if (!res.ok || !res.body) {
    let e: { message?: string; code?: string; param?: string } | undefined;
    try {
      e = ((await res.json()) as { error?: typeof e }).error;
    } catch {
      e = undefined;
    }
    throw new ApiError(res.status, e?.message ?? `HTTP ${res.status}`, e?.code ?? null, e?.param ?? null);
  }
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buf = "";
  let text = "";
  let ttft: number | null = null;
  let usage: ChatResult["usage"] = null;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buf += value;
    let nl = buf.indexOf("\n");
    while (nl >= 0) {
      const line = buf.slice(0, nl).trim();
      buf = buf.slice(nl + 1);
      nl = buf.indexOf("\n");
      if (!line.startsWith("data:")) continue;
      const data = line.slice(5).trim();
      if (data === "[DONE]") continue;
      let chunk: {
        choices?: { delta?: { content?: string | null } }[];
        usage?: ChatResult["usage"];
        error?: { message?: string; code?: string };
      };
      try {
        chunk = JSON.parse(data);
      } catch {
        continue;
      }
      if (chunk.error) throw new ApiError(502, chunk.error.message ?? "stream error", chunk.error.code ?? null);
      const piece = chunk.choices?.[0]?.delta?.content;
      if (piece) {
        if (ttft === null) ttft = performance.now() - started;
        text += piece;
        onText(text);
      }
      if (chunk.usage) usage = chunk.usage;
    }
  }
  return {
    text,
    provider: res.headers.get("x-router-provider"),
    upstreamModel: res.headers.get("x-router-model"),
    requestId: res.headers.get("x-request-id"),
    ttftMs: ttft,
    latencyMs: performance.now() - started,
    usage,
  };
}
