/** How the mock upstream answers the next request(s). Everything is optional; {} = a normal answer. */
export interface MockBehavior {
  /** Answer with this HTTP status and an error body in the provider's format. */
  status?: number;
  /** Error message for `status`. */
  message?: string;
  /** Error type/code for `status` (provider-specific names). */
  errorType?: string;
  errorCode?: string;
  /** Wait before the response headers. */
  delayMs?: number;
  /** Wait between stream chunks. */
  chunkDelayMs?: number;
  /** Stream: destroy the connection after this many chunks. */
  cutAfterChunks?: number;
  /** Destroy the socket without any response. */
  destroy?: boolean;
  /** Reply text instead of the default echo. */
  text?: string;
  /** OpenAI-style upstreams: answer 422 "Extra inputs are not permitted" when the body has any of these (Mistral). */
  rejectFields?: string[];
  /** OpenAI-style streams: usage on the last chunk whatever `stream_options` says (Mistral). */
  streamUsage?: "always";
  /** OpenAI-style upstreams: reasoning sent before the answer as `reasoning_content` (DeepSeek, Qwen, vLLM). */
  reasoning?: string;
  /** Extra response headers (e.g. `retry-after`). */
  headers?: Record<string, string>;
}

/** A queue of one-shot behaviours in front of a default one. */
export class BehaviorQueue {
  private readonly queue: MockBehavior[] = [];
  constructor(public fallback: MockBehavior = {}) {}

  /** The next `n` requests get `b`. */
  next(b: MockBehavior, n = 1): void {
    for (let i = 0; i < n; i++) this.queue.push(b);
  }

  take(): MockBehavior {
    return this.queue.shift() ?? this.fallback;
  }

  reset(): void {
    this.queue.length = 0;
    this.fallback = {};
  }
}
