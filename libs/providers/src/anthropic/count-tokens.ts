import type { AnthropicBlock, AnthropicRequest } from "./api.js";

/** Flat costs where the size cannot be read from the request (image dimensions, PDF pages). */
export const IMAGE_TOKENS = 1600;
export const DOCUMENT_TOKENS = 1500;
const MESSAGE_OVERHEAD = 3;
const TOOL_OVERHEAD = 20;

const byChars = (s: string): number => Math.ceil(s.length / 4);

function blockTokens(b: AnthropicBlock): number {
  switch (b.type) {
    case "text":
      return byChars((b as { text: string }).text);
    case "image":
      return IMAGE_TOKENS;
    case "document":
      return DOCUMENT_TOKENS;
    case "tool_use":
      return byChars((b as { name: string }).name) + byChars(JSON.stringify((b as { input: unknown }).input ?? {}));
    case "tool_result": {
      const c = (b as { content?: string | AnthropicBlock[] }).content;
      return typeof c === "string" ? byChars(c) : contentTokens(c ?? []);
    }
    case "thinking":
      return byChars((b as { thinking: string }).thinking);
    default:
      return byChars(JSON.stringify(b));
  }
}

function contentTokens(c: string | readonly AnthropicBlock[]): number {
  if (typeof c === "string") return byChars(c);
  let n = 0;
  for (const b of c) n += blockTokens(b);
  return n;
}

/**
 * Estimated `input_tokens` of a Messages request for targets that cannot count (OpenAI-style): about
 * four characters a token for text, tool definitions and tool inputs; flat costs for images and PDFs.
 * The router says so in `x-router-warnings: estimated:input_tokens`.
 */
export function estimateInputTokens(body: Pick<AnthropicRequest, "system" | "messages" | "tools">): number {
  let n = body.system === undefined ? 0 : contentTokens(body.system);
  for (const m of body.messages) n += MESSAGE_OVERHEAD + contentTokens(m.content);
  for (const t of body.tools ?? []) n += TOOL_OVERHEAD + byChars(JSON.stringify(t));
  return Math.max(1, n);
}
