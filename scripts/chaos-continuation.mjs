// The chaos run's model with stream_continuation (issue 25): its first target (an upstream of its own,
// which the fault makes reset streams at random points) and a DeepSeek-preset target that finishes what
// broke from an assistant prefill (scripts/chaos.mjs).
import { startMockUpstream } from "../libs/testing/dist/index.js";

/** The question streamed to the continuation model: its answer ("Echo: " + it) spans several events. */
export const LONG_ASK = "tell me, in a few more words than usual, what the router does when an upstream resets a stream";

/** Sets up the model `mc`: `up-cut` (its own mock upstream) and `up-ds` (DeepSeek preset), round robin. */
export async function continuationWorld(admin, mock) {
  const cutMock = await startMockUpstream({ record: false });
  const ids = [];
  for (const [name, adapter, base] of [
    ["up-cut", "openai-compatible", cutMock.baseUrl],
    ["up-ds", "deepseek", mock.baseUrl],
  ]) {
    const r = await admin("POST", "/v1/db/providers", { name, adapter, base_url: base, api_key: "sk-chaos-0000" });
    if (r.status !== 200) throw new Error(JSON.stringify(r));
    await admin("PUT", `/v1/db/providers/${r.body.provider_id}`, { timeout_ms: 2_000 });
    ids.push(r.body.provider_id);
  }
  const m = await admin("POST", "/v1/db/models", {
    name: "mc",
    provider_id: ids[0],
    upstream_model: "gpt-4o",
    strategy: "round_robin",
    stream_continuation: true,
  });
  if (m.status !== 200) throw new Error(JSON.stringify(m));
  await admin("POST", `/v1/db/models/${m.body.id}/providers`, { provider_id: ids[1], upstream_model: "deepseek-chat" });
  return { cutMock };
}

/**
 * The next `n` requests of the cutting upstream: 20% reset at a random point (after 1 to 12 events).
 * Returns how many of the cuts were taken so far (JSON requests take theirs too: they are not cut).
 */
export function cutAtRandom(cutMock, n) {
  const plan = Array.from({ length: n }, () => (Math.random() < 0.2 ? { cutAfterChunks: 1 + Math.floor(Math.random() * 12) } : {}));
  for (const b of plan) cutMock.behavior.next(b);
  return () => plan.slice(0, n - cutMock.behavior.queue.length).filter((b) => b.cutAfterChunks !== undefined).length;
}

/** The text of an OpenAI chat event stream (the deltas' content, concatenated). */
export function streamText(sse) {
  let text = "";
  for (const ev of sse.split("\n\n")) {
    if (!ev.startsWith("data: {")) continue;
    text += JSON.parse(ev.slice(6)).choices?.[0]?.delta?.content ?? "";
  }
  return text;
}
