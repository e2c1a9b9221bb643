import type { ChatCompletionRequest, OpenAIUsage } from "@ai-router/contracts";
import type { LocalStream } from "../adapter.js";
import { sseData } from "../sse.js";
import { completionId, mockReply } from "./chat.js";

/** OpenAI SSE for the mock's answer: a role chunk, one chunk a word, a finish chunk, usage, [DONE]. */
export function mockStream(req: ChatCompletionRequest, model: string, includeUsage: boolean): LocalStream {
  const { text, usage } = mockReply(req);
  return { events: mockEvents(text, usage, model, includeUsage), usage };
}

async function* mockEvents(text: string, usage: OpenAIUsage, model: string, includeUsage: boolean): AsyncIterable<string> {
  const base = {
    id: completionId(),
    object: "chat.completion.chunk",
    created: Math.floor(Date.now() / 1000),
    model,
    system_fingerprint: "fp_ai_router_mock",
  };
  const chunk = (delta: object, finish: string | null) =>
    sseData({ ...base, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }], ...(includeUsage ? { usage: null } : {}) });
  yield chunk({ role: "assistant", content: "", refusal: null }, null);
  const words = text.split(/(?<= )/);
  for (const w of words) yield chunk({ content: w }, null);
  yield chunk({}, "stop");
  if (includeUsage) yield sseData({ ...base, choices: [], usage });
  yield "data: [DONE]\n\n";
}
