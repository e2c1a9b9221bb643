import type { OpenAIUsage } from "@ai-router/contracts";
import type { ChatStreamTranslator, NativeEndpoint, UpstreamError } from "../adapter.js";
import { type GeminiResponse, geminiHeaders, geminiModelResource, geminiPath, geminiVersionPrefix } from "../gemini/api.js";
import { toGeminiUpstreamError } from "../gemini/errors.js";
import { toOpenAIUsage } from "../gemini/to-openai.js";
import { parseSseEvent, SseEventReader } from "../sse.js";

const usageOf = (r: GeminiResponse): OpenAIUsage | undefined => (r.usageMetadata ? toOpenAIUsage(r.usageMetadata) : undefined);

/** Gemini's event stream passed through as it is; usage and in-band errors read on the way. */
export class GeminiPassthroughStream implements ChatStreamTranslator {
  private readonly events = new SseEventReader();
  usage: OpenAIUsage | undefined;
  error: UpstreamError | undefined;
  private sent = false;

  push(chunk: Buffer): string {
    return this.events.map(chunk, (raw) => this.observe(raw));
  }

  end(): string {
    return this.events.flush((raw) => this.observe(raw));
  }

  private observe(raw: string): string {
    const { data } = parseSseEvent(raw);
    try {
      const ev = JSON.parse(data) as GeminiResponse & { error?: unknown };
      if (ev.error && !this.sent) this.error = toGeminiUpstreamError(500, ev);
      const u = usageOf(ev);
      if (u) this.usage = u;
    } catch {
      // Not JSON: forwarded as is.
    }
    this.sent = true;
    return `${raw}\r\n\r\n`;
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
