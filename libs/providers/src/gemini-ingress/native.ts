import type { OpenAIUsage } from "@ai-router/contracts";
import type { NativeEndpoint } from "../adapter.js";
import { type GeminiResponse, geminiHeaders, geminiModelResource, geminiPath, geminiVersionPrefix } from "../gemini/api.js";
import { toGeminiUpstreamError } from "../gemini/errors.js";
import { toOpenAIUsage } from "../gemini/to-openai.js";
import { PassthroughStream } from "../passthrough-stream.js";

const usageOf = (r: GeminiResponse): OpenAIUsage | undefined => (r.usageMetadata ? toOpenAIUsage(r.usageMetadata) : undefined);

/** Gemini's event stream passed through as it is; usage and in-band errors read on the way. */
export class GeminiPassthroughStream extends PassthroughStream {
  constructor() {
    super(undefined, "\r\n\r\n");
  }

  protected observe(_event: string | undefined, data: string): void {
    try {
      const ev = JSON.parse(data) as GeminiResponse & { error?: unknown };
      if (ev.error && this.nothingSent) this.error = toGeminiUpstreamError(500, ev);
      const u = usageOf(ev);
      if (u) this.usage = u;
    } catch {
      // Not JSON: forwarded as is.
    }
  }
}

/** Gemini's own format at the front door, served natively by a Gemini provider (model from the target). */
export const geminiNativeGenerate: NativeEndpoint = {
  build: (body, target, opts) => ({
    method: "POST",
    path: geminiPath(target.provider.basePath, target.upstreamModel, opts.stream ? "streamGenerateContent" : "generateContent"),
    headers: geminiHeaders(target, opts.stream),
    body: JSON.stringify(body),
  }),
  countTokens: (body, target) => ({
    method: "POST",
    path: `${geminiVersionPrefix(target.provider.basePath)}/${geminiModelResource(target.upstreamModel)}:countTokens`,
    headers: geminiHeaders(target, false),
    body: JSON.stringify(body),
  }),
  parseResponse(body) {
    let usage: OpenAIUsage | undefined;
    try {
      usage = usageOf(JSON.parse(body.toString("utf8")) as GeminiResponse);
    } catch {
      usage = undefined;
    }
    return { body, usage };
  },
  createStream: () => new GeminiPassthroughStream(),
};
