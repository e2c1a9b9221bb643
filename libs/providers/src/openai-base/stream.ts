import type { OpenAIUsage } from "@ai-router/contracts";
import type { ChatStreamTranslator, UpstreamError } from "../adapter.js";
import { parseSseEvent, SseSplitter } from "../sse.js";
import { toUpstreamError } from "./errors.js";
import { normalizeUsage } from "./usage.js";

const USAGE_OBJECT = /"usage"\s*:\s*\{/;

/**
 * OpenAI SSE -> OpenAI SSE. Forwards complete events as they arrive, records usage, removes the
 * usage-only chunk the router asked for on the client's behalf, and guarantees a `[DONE]` terminator.
 */
export class OpenAIStreamTranslator implements ChatStreamTranslator {
  private readonly splitter = new SseSplitter();
  private readonly decoder = new TextDecoder();
  private sawDone = false;
  usage: OpenAIUsage | undefined;
  error: UpstreamError | undefined;

  constructor(private readonly stripUsage: boolean) {}

  push(chunk: Buffer): string {
    const events = this.splitter.push(this.decoder.decode(chunk, { stream: true }));
    if (events.length === 0) return "";
    let out = "";
    for (const raw of events) out += this.onEvent(raw);
    return out;
  }

  end(): string {
    let out = "";
    for (const raw of this.splitter.flush()) out += this.onEvent(raw);
    if (!this.sawDone) out += "data: [DONE]\n\n";
    return out;
  }

  private onEvent(raw: string): string {
    if (raw.charCodeAt(0) === 58 /* ':' comment / keep-alive */) return `${raw}\n\n`;
    const { data } = parseSseEvent(raw);
    if (data === "[DONE]") {
      this.sawDone = true;
      return "data: [DONE]\n\n";
    }
    if (USAGE_OBJECT.test(data) || data.includes('"error"')) {
      let parsed: Record<string, unknown> | undefined;
      try {
        parsed = JSON.parse(data) as Record<string, unknown>;
      } catch {
        parsed = undefined;
      }
      if (parsed?.error && typeof parsed.error === "object") this.error = toUpstreamError(500, parsed);
      const usage = parsed ? normalizeUsage(parsed.usage) : undefined;
      if (usage) {
        this.usage = usage;
        const choices = parsed?.choices;
        if (this.stripUsage && Array.isArray(choices) && choices.length === 0) return "";
        if (this.stripUsage) {
          // Usage riding on a content chunk: keep the content, hide the usage.
          delete parsed?.usage;
          return `data: ${JSON.stringify(parsed)}\n\n`;
        }
      }
    }
    return `${raw}\n\n`;
  }
}
