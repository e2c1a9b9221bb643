import type { OpenAIUsage } from "@ai-router/contracts";
import type { NativeEndpoint, ParsedResponse, TargetContext } from "../adapter.js";
import { PassthroughStream } from "../passthrough-stream.js";
import { type AnthropicUsage, postAnthropic } from "./api.js";
import { anthropicStatus, toAnthropicUpstreamError } from "./errors.js";
import { toOpenAIUsage } from "./to-openai.js";

const HELD = new Set(["message_start", "ping"]);

const withModel = (body: Record<string, unknown>, target: TargetContext): string =>
  JSON.stringify(Object.assign({}, target.params, body, { model: target.upstreamModel }));

/**
 * Anthropic events passed through byte for byte (cache_control, thinking signatures, server tools all
 * survive), while usage and in-band errors are read on the way for accounting and failover.
 * message_start and pings are held until content follows, so an error right after them can fail over.
 */
export class AnthropicPassthroughStream extends PassthroughStream {
  private raw: Partial<AnthropicUsage> = {};

  constructor() {
    super(HELD);
  }

  protected observe(event: string | undefined, data: string): void {
    if (event !== "message_start" && event !== "message_delta" && event !== "error") return;
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
  build: (body, target, opts) => postAnthropic("/messages", withModel(body, target), target, { clientVersion: true, stream: opts.stream }),
  countTokens: (body, target) =>
    postAnthropic("/messages/count_tokens", JSON.stringify(Object.assign({}, body, { model: target.upstreamModel })), target, {
      clientVersion: true,
    }),
  parseResponse: (body: Buffer): ParsedResponse => ({ body, usage: anthropicBodyUsage(body) }),
  createStream: () => new AnthropicPassthroughStream(),
};
