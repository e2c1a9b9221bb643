import type { AnthropicBlock, AnthropicMessage, AnthropicRequest, CacheControl } from "./api.js";

/** Anthropic accepts at most four `cache_control` breakpoints per request. */
export const MAX_BREAKPOINTS = 4;

const EPHEMERAL: CacheControl = { type: "ephemeral" };
/** Block types that may carry `cache_control` (thinking blocks may not; empty text may not). */
const CACHEABLE = new Set(["text", "image", "document", "tool_use", "tool_result"]);

const cacheable = (b: AnthropicBlock): boolean => CACHEABLE.has(b.type) && !(b.type === "text" && (b as { text?: unknown }).text === "");

function hasBreakpoint(body: AnthropicRequest): boolean {
  const inBlocks = (c: unknown) => Array.isArray(c) && c.some((b) => (b as { cache_control?: unknown }).cache_control);
  if (inBlocks(body.system) || body.tools?.some((t) => t.cache_control)) return true;
  return body.messages.some((m) => inBlocks(m.content));
}

/** Marks the last cacheable block of `m` (a string content becomes one text block); false when none can be. */
function markMessage(m: AnthropicMessage): boolean {
  if (typeof m.content === "string") {
    if (m.content === "") return false;
    m.content = [{ type: "text", text: m.content, cache_control: EPHEMERAL }];
    return true;
  }
  for (let i = m.content.length - 1; i >= 0; i--) {
    const b = m.content[i] as AnthropicBlock;
    if (cacheable(b)) {
      m.content[i] = Object.assign({}, b, { cache_control: EPHEMERAL }) as AnthropicBlock;
      return true;
    }
  }
  return false;
}

/**
 * Automatic prompt-cache breakpoints for a request translated to Anthropic from a format without
 * `cache_control` (OpenAI chat, Responses, Gemini), so those agents get Anthropic's cache too: the tools,
 * the system prompt, the newest turn (written now, read by the next turn) and the turn before it (read
 * now when the conversation grew by more than Anthropic's 20-block lookback), at most four. A request
 * that already carries a breakpoint is left as the client made it. Mutates `body` (built for this attempt).
 */
export function addCacheBreakpoints(body: AnthropicRequest): void {
  if (hasBreakpoint(body)) return;
  let left = MAX_BREAKPOINTS;
  const lastTool = body.tools?.[body.tools.length - 1];
  if (lastTool) {
    lastTool.cache_control = EPHEMERAL;
    left--;
  }
  if (typeof body.system === "string" && body.system !== "") {
    body.system = [{ type: "text", text: body.system, cache_control: EPHEMERAL }];
    left--;
  } else if (Array.isArray(body.system)) {
    for (let i = body.system.length - 1; i >= 0; i--) {
      const b = body.system[i] as AnthropicBlock;
      if (cacheable(b)) {
        body.system[i] = Object.assign({}, b, { cache_control: EPHEMERAL }) as AnthropicBlock;
        left--;
        break;
      }
    }
  }
  // The newest message, then the previous user turn.
  const msgs = body.messages;
  let marked = 0;
  for (let i = msgs.length - 1; i >= 0 && left > 0 && marked < 2; i--) {
    const m = msgs[i] as AnthropicMessage;
    if (marked === 1 && m.role !== "user") continue;
    if (markMessage(m)) {
      left--;
      marked++;
    }
  }
}
