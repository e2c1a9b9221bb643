import type { OpenAIUsage } from "@ai-router/contracts";
import type { ChatStreamTranslator, NativeEndpoint, ParsedResponse, TargetContext, UpstreamError } from "../adapter.js";
import { parseSseEvent, SseEventReader } from "../sse.js";
import { type AnthropicUsage, postAnthropic } from "./api.js";
import { anthropicStatus, toAnthropicUpstreamError } from "./errors.js";
import { toOpenAIUsage } from "./to-openai.js";

const withModel = (body: Record<string, unknown>, target: TargetContext): string =>
  JSON.stringify(Object.assign({}, target.params, body, { model: target.upstreamModel }));

/**
 * Anthropic events passed through byte for byte (cache_control, thinking signatures, server tools all
 * survive), while usage and in-band errors are read on the way for accounting and failover.
 */
export class AnthropicPassthroughStream implements ChatStreamTranslator {
  private readonly events = new SseEventReader();
  private raw: Partial<AnthropicUsage> = {};
  /** message_start and pings are held until content follows, so an error right after them can fail over. */
  private held: string | undefined = "";
  usage: OpenAIUsage | undefined;
  error: UpstreamError | undefined;

  push(chunk: Buffer): string {
    return this.events.map(chunk, (raw) => this.observe(raw));
  }

  end(): string {
    const out = this.events.flush((raw) => this.observe(raw));
    return out + this.release();
  }

  private release(): string {
    const held = this.held ?? "";
    this.held = undefined;
    return held;
  }

  private observe(raw: string): string {
    const { event, data } = parseSseEvent(raw);
    if (event === "message_start" || event === "message_delta" || event === "error") {
      try {
        const ev = JSON.parse(data) as {
          message?: { usage?: Partial<AnthropicUsage> };
          usage?: Partial<AnthropicUsage>;
          error?: { type?: string };
        };
        if (event === "error") this.error = toAnthropicUpstreamError(anthropicStatus(ev.error?.type), ev);
        const u = ev.message?.usage ?? ev.usage;
        if (u) {
          for (const [k, v] of Object.entries(u)) if (v != null) (this.raw as Record<string, unknown>)[k] = v;
          this.usage = toOpenAIUsage(this.raw);
        }
      } catch {
        // Not JSON: forwarded as is; the client's SDK reports it.
      }
    }
    if (this.held !== undefined && (event === "message_start" || event === "ping")) {
      this.held += `${raw}\n\n`;
      return "";
    }
    return `${this.release()}${raw}\n\n`;
  }
}

/** Usage of an Anthropic `message` body, in OpenAI terms (for accounting). */
export function anthropicBodyUsage(body: Buffer): OpenAIUsage | undefined {
  try {
    const u = (JSON.parse(body.toString("utf8")) as { usage?: Partial<AnthropicUsage> }).usage;
    return u ? toOpenAIUsage(u) : undefined;
  } catch {
    return undefined;
  }
}

/** `POST /v1/messages` served natively by an Anthropic provider. */
export const anthropicNativeMessages: NativeEndpoint = {
  build: (body, target) => postAnthropic("/messages", withModel(body, target), target, { clientVersion: true }),
  countTokens: (body, target) =>
    postAnthropic("/messages/count_tokens", JSON.stringify(Object.assign({}, body, { model: target.upstreamModel })), target, {
      clientVersion: true,
    }),
  parseResponse: (body: Buffer): ParsedResponse => ({ body, usage: anthropicBodyUsage(body) }),
  createStream: () => new AnthropicPassthroughStream(),
};
