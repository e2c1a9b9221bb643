import type { OpenAIUsage } from "@ai-router/contracts";
import type { ChatStreamTranslator, NativeEndpoint, UpstreamError } from "../adapter.js";
import { postJson } from "../openai-base/api.js";
import { toUpstreamError } from "../openai-base/errors.js";
import { parseSseEvent, SseEventReader } from "../sse.js";

interface ResponsesUsage {
  input_tokens?: number;
  output_tokens?: number;
  total_tokens?: number;
  input_tokens_details?: { cached_tokens?: number };
  output_tokens_details?: { reasoning_tokens?: number };
}

/** Responses usage in OpenAI chat terms (for accounting). */
export function responsesUsageToOpenAI(u: ResponsesUsage | null | undefined): OpenAIUsage | undefined {
  if (!u || typeof u !== "object") return undefined;
  const prompt = u.input_tokens ?? 0;
  const completion = u.output_tokens ?? 0;
  const usage: OpenAIUsage = { prompt_tokens: prompt, completion_tokens: completion, total_tokens: u.total_tokens ?? prompt + completion };
  const cached = u.input_tokens_details?.cached_tokens;
  if (cached) usage.prompt_tokens_details = { cached_tokens: cached };
  const reasoning = u.output_tokens_details?.reasoning_tokens;
  if (reasoning) usage.completion_tokens_details = { reasoning_tokens: reasoning };
  return usage;
}

const HELD = new Set(["response.created", "response.in_progress"]);

/**
 * OpenAI's Responses event stream passed through byte for byte (built-in tools, encrypted reasoning and
 * every event kind survive); usage, the final response and in-band errors are read on the way.
 * `response.created` / `response.in_progress` are held until content follows, so a failure right after
 * them can still fail over.
 */
export class ResponsesPassthroughStream implements ChatStreamTranslator {
  private readonly events = new SseEventReader();
  private held: string | undefined = "";
  usage: OpenAIUsage | undefined;
  error: UpstreamError | undefined;
  /** The final Response object (`response.completed` / `.incomplete` / `.failed`). */
  final: Record<string, unknown> | undefined;

  push(chunk: Buffer): string {
    return this.events.map(chunk, (raw) => this.observe(raw));
  }

  end(): string {
    return this.events.flush((raw) => this.observe(raw)) + this.release();
  }

  private release(): string {
    const held = this.held ?? "";
    this.held = undefined;
    return held;
  }

  private observe(raw: string): string {
    const { event, data } = parseSseEvent(raw);
    if (event === "response.completed" || event === "response.incomplete" || event === "response.failed" || event === "error") {
      try {
        const ev = JSON.parse(data) as { response?: Record<string, unknown> & { usage?: ResponsesUsage }; message?: string; code?: string };
        if (ev.response) {
          this.final = ev.response;
          this.usage = responsesUsageToOpenAI(ev.response.usage);
        }
        if (event === "error" && this.held !== undefined) {
          this.error = toUpstreamError(500, { error: { message: ev.message ?? "error", type: "server_error", code: ev.code ?? null } });
        }
      } catch {
        // Not JSON: forwarded as is; the client's SDK reports it.
      }
    }
    if (this.held !== undefined && event !== undefined && HELD.has(event)) {
      this.held += `${raw}\n\n`;
      return "";
    }
    return `${this.release()}${raw}\n\n`;
  }
}

/** `POST /v1/responses` served natively by OpenAI: the body goes up with the model rewritten. */
export const openaiNativeResponses: NativeEndpoint = {
  build: (body, target) =>
    postJson("/responses", JSON.stringify(Object.assign({}, target.params, body, { model: target.upstreamModel })), target),
  parseResponse(body) {
    let usage: OpenAIUsage | undefined;
    try {
      usage = responsesUsageToOpenAI((JSON.parse(body.toString("utf8")) as { usage?: ResponsesUsage }).usage);
    } catch {
      usage = undefined;
    }
    return { body, usage };
  },
  createStream: () => new ResponsesPassthroughStream(),
};
