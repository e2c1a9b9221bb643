import type { OpenAIUsage } from "@ai-router/contracts";
import type { NativeEndpoint } from "../adapter.js";
import { postJson } from "../openai-base/api.js";
import { toUpstreamError } from "../openai-base/errors.js";
import { PassthroughStream } from "../passthrough-stream.js";
import { responseError } from "../responses/error-code.js";

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
export class ResponsesPassthroughStream extends PassthroughStream {
  /** The final Response object (`response.completed` / `.incomplete` / `.failed`). */
  final: Record<string, unknown> | undefined;
  /** Events seen: OpenAI numbers them from 0, so this is the next `sequence_number`. */
  private seen = 0;
  /** `response.created`'s data, kept unparsed: read only if the stream has to be ended as failed. */
  private created: string | undefined;

  constructor() {
    super(HELD);
  }

  /**
   * Ends a stream cut mid-way as OpenAI ends a failed one: `error` (the code as it is), then
   * `response.failed` with the response so far, a published error code and ours in `router_code`.
   * Without a `response.created` to build on, only the `error` event.
   */
  fail(message: string, code: string | null): string {
    const seq = this.seen;
    let out = `event: error\ndata: ${JSON.stringify({ type: "error", sequence_number: seq, code, message, param: null })}\n\n`;
    let response: Record<string, unknown> | undefined;
    try {
      response = this.created === undefined ? undefined : (JSON.parse(this.created) as { response?: Record<string, unknown> }).response;
    } catch {
      response = undefined;
    }
    if (response !== undefined && typeof response === "object") {
      const { usage: _usage, ...rest } = response;
      this.final = Object.assign(rest, { status: "failed", error: responseError(message, code) });
      out += `event: response.failed\ndata: ${JSON.stringify({ type: "response.failed", sequence_number: seq + 1, response: this.final })}\n\n`;
    }
    return out;
  }

  protected observe(event: string | undefined, data: string): void {
    this.seen++;
    if (event === "response.created") {
      this.created = data;
      return;
    }
    if (event !== "response.completed" && event !== "response.incomplete" && event !== "response.failed" && event !== "error") return;
    try {
      const ev = JSON.parse(data) as { response?: Record<string, unknown> & { usage?: ResponsesUsage }; message?: string; code?: string };
      if (ev.response) {
        this.final = ev.response;
        this.usage = responsesUsageToOpenAI(ev.response.usage);
      }
      if (event === "error" && this.nothingSent) {
        this.error = toUpstreamError(500, { error: { message: ev.message ?? "error", type: "server_error", code: ev.code ?? null } });
      }
    } catch {
      // Not JSON: forwarded as is; the client's SDK reports it.
    }
  }
}

/** `POST /v1/responses` served natively by OpenAI: the body goes up with the model rewritten. */
export const openaiNativeResponses: NativeEndpoint = {
  build: (body, target, opts) =>
    postJson("/responses", JSON.stringify(Object.assign({}, target.params, body, { model: target.upstreamModel })), target, opts.stream),
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
