import type { ChatCompletionRequest } from "@ai-router/contracts";

/**
 * How a provider accepts the start of the assistant's answer and continues it from there (an assistant
 * prefill), used to finish a stream that broke on another target (mid-stream continuation):
 * - `anthropic`: a trailing assistant message (Anthropic's Messages API); its text may not end with
 *   whitespace, so that is trimmed off (and skipped where the continuation repeats it).
 * - `prefix`: a trailing assistant message with `prefix: true` (DeepSeek, Mistral).
 * - `partial`: a trailing assistant message with `partial: true` (Moonshot/Kimi, Qwen).
 * - `continue_final_message`: a trailing assistant message, with `continue_final_message: true` and
 *   `add_generation_prompt: false` on the request (vLLM).
 * A provider without one is never chosen to continue a stream.
 */
export type PrefillForm = "anthropic" | "prefix" | "partial" | "continue_final_message";

/** The request with `text` as the start of the assistant's answer, in the provider's own form. */
export interface Prefilled {
  req: ChatCompletionRequest;
  /** Whitespace trimmed off the end of `text` (the continuation may start with it: see `skipSeam`). */
  trimmed: string;
}

/** Adds `text` as an assistant prefill to a copy of `req` (the client's request is never changed). */
export function withPrefill(req: ChatCompletionRequest, text: string, form: PrefillForm): Prefilled {
  if (text === "") return { req, trimmed: "" };
  let content = text;
  let trimmed = "";
  if (form === "anthropic") {
    content = text.trimEnd();
    trimmed = text.slice(content.length);
  }
  const message: Record<string, unknown> = { role: "assistant", content };
  if (form === "prefix") message.prefix = true;
  else if (form === "partial") message.partial = true;
  const messages = [...req.messages, message as ChatCompletionRequest["messages"][number]];
  const out: Record<string, unknown> = Object.assign({}, req, { messages });
  if (form === "continue_final_message") {
    out.continue_final_message = true;
    out.add_generation_prompt = false;
  }
  // The continuation is a new answer's tail: one choice, no client-side usage fields changed.
  delete out.n;
  return { req: out as ChatCompletionRequest, trimmed };
}

/**
 * The continuation's first text with the seam cleaned: the whitespace the prefill lost (`trimmed`,
 * already relayed to the client) is not repeated. A continuation that starts with that whitespace has
 * it cut; one that starts with other whitespace after relayed whitespace has its leading whitespace
 * cut (the words are already separated).
 */
export function skipSeam(first: string, trimmed: string): string {
  if (trimmed === "") return first;
  if (first.startsWith(trimmed)) return first.slice(trimmed.length);
  return first.trimStart();
}
