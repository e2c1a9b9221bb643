import type { StreamingPassthroughEndpoint } from "../adapter.js";
import { postJson } from "../openai-base/api.js";
import { OpenAIEventPassthrough } from "../openai-base/more-endpoints.js";
import { extractUsage } from "../openai-base/usage.js";
import { besideBasePath } from "../root-path.js";

/** The fields DeepSeek's beta completions take (its API reference); others are not sent. */
const FIM_FIELDS = [
  "prompt",
  "suffix",
  "echo",
  "frequency_penalty",
  "presence_penalty",
  "logprobs",
  "max_tokens",
  "stop",
  "stream",
  "stream_options",
  "temperature",
  "top_p",
];

/**
 * Legacy completions and FIM (`suffix`) on DeepSeek: `POST /beta/completions` from its origin (DeepSeek's
 * beta API sits beside `/v1`: clients set `base_url=https://api.deepseek.com/beta`). Request and answer
 * are OpenAI's `text_completion` shapes, JSON and SSE, so the answer passes through as it is. A prompt
 * sent as a list of strings is joined (DeepSeek takes one string).
 */
export const deepseekCompletions: StreamingPassthroughEndpoint = {
  build(body, target) {
    const out: Record<string, unknown> = { model: target.upstreamModel };
    for (const k of FIM_FIELDS) if (body[k] !== undefined && body[k] !== null) out[k] = body[k];
    if (Array.isArray(out.prompt)) out.prompt = out.prompt.join("");
    const path = besideBasePath(target.provider.basePath, ["/beta", "/v1"], "/beta/completions");
    return Object.assign(postJson(path, JSON.stringify(out), target, body.stream === true), { rootPath: true });
  },
  parse: (body) => ({ body, usage: extractUsage(body) }),
  createStream: () => new OpenAIEventPassthrough(),
};
