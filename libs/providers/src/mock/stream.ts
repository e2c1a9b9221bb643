import type { ChatCompletionRequest, OpenAIUsage } from "@ai-router/contracts";

import { sseData } from "../sse.js";
import { completionId, mockReply } from "./chat.js";

/** OpenAI SSE for the mock's answer: a role chunk, one chunk a word, a finish chunk, usage, [DONE]. */
export function mockStream(
  req: ChatCompletionRequest,
  model: string,
  includeUsage: boolean,
): { events: AsyncIterable<string>; usage: OpenAIUsage } {
  const { text, usage, finishReason } = mockReply(req);
  return { events: mockEvents(text, usage, finishReason, model, includeUsage), usage };
}

async function* mockEvents(
  text: string,
  usage: OpenAIUsage,
  finishReason: string,
  model: string,
  includeUsage: boolean,
): AsyncIterable<string> {
  const id = completionId();
  const created = Math.floor(Date.now() / 1000);
  // Literals, not `{ ...base, ... }`: V8 (Node 20) promotes every object built by a leading spread.
  const event = (choices: object[], u: OpenAIUsage | null | undefined) =>
    sseData({ id, object: "chat.completion.chunk", created, model, system_fingerprint: "fp_ai_router_mock", choices, usage: u });
  const chunk = (delta: object, finish: string | null) =>
    event([{ index: 0, delta, logprobs: null, finish_reason: finish }], includeUsage ? null : undefined);
  yield chunk({ role: "assistant", content: "", refusal: null }, null);
  if (text.length > 0) for (const w of text.split(/(?<= )/)) yield chunk({ content: w }, null);
  yield chunk({}, finishReason);
  if (includeUsage) yield event([], usage);
  yield "data: [DONE]\n\n";
}
