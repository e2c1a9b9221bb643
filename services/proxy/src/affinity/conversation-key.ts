import type { IncomingHttpHeaders } from "node:http";
import { type AffinityMode, HASH_SEED, hashJson, hashString } from "@ai-router/balancing";

type Json = Record<string, unknown>;

/** Longest identifier hashed: a client's key is its first 256 characters (it only routes). */
const ID_MAX = 256;
/** How much of each part of a conversation's start is hashed (UTF-16 units). */
const SYSTEM_BUDGET = 2048;
const TOOLS_BUDGET = 1024;
const FIRST_TURN_BUDGET = 2048;
/** Providers cache prompts from 1,024 tokens (OpenAI, Anthropic): shorter ones without an identifier are not kept. */
const CACHEABLE_TOKENS = 1024;

/**
 * Headers agents send once per conversation, in the order they are trusted: the generic ones, Claude
 * Code's (2.1.86+), Codex's (`session_id`, `session-id`, `conversation_id`).
 */
const SESSION_HEADERS = [
  "x-session-id",
  "x-session-affinity",
  "x-claude-code-session-id",
  "session_id",
  "session-id",
  "conversation_id",
  "conversation-id",
] as const;

const idHash = (tag: number, s: string): number => hashString(Math.imul(HASH_SEED ^ tag, 0x01000193) >>> 0, s, ID_MAX);
const nonEmpty = (v: unknown): v is string => typeof v === "string" && v.length > 0;

/** Reused by every hash (the request path is synchronous here): no budget object per request. */
const budget = { left: 0 };

function hashPart(h: number, tag: string, value: unknown, limit: number): number {
  budget.left = limit;
  return hashJson(hashString(h, tag, 2), value, budget);
}

function firstWithRole(list: unknown, role: string): unknown {
  if (!Array.isArray(list)) return undefined;
  for (const m of list) if (m !== null && typeof m === "object" && (m as Json).role === role) return m;
  return undefined;
}

/** OpenAI chat: the system/developer messages before the first user turn, then that turn. */
function chatStart(json: Json, withTurn: boolean): number {
  const messages = Array.isArray(json.messages) ? json.messages : [];
  budget.left = SYSTEM_BUDGET;
  let h = HASH_SEED;
  let firstTurn: unknown;
  for (const m of messages) {
    if (m === null || typeof m !== "object") continue;
    const role = (m as Json).role;
    if (role === "user") {
      firstTurn = m;
      break;
    }
    if (role === "system" || role === "developer") h = hashJson(h, (m as Json).content, budget);
  }
  h = hashPart(h, "|t", json.tools, TOOLS_BUDGET);
  return withTurn ? hashPart(h, "|u", firstTurn, FIRST_TURN_BUDGET) : h;
}

/**
 * Hash of the conversation's stable start in the ingress's own shape: system prompt, tools, first user
 * turn; `withTurn` false hashes the shared prefix only (system, tools).
 */
export function startHash(ingress: string, json: Json, withTurn: boolean): number {
  let system: unknown;
  let firstTurn: unknown;
  switch (ingress) {
    case "anthropic-messages":
      system = json.system;
      firstTurn = withTurn ? firstWithRole(json.messages, "user") : undefined;
      break;
    case "openai-responses":
      system = json.instructions;
      firstTurn = withTurn ? (typeof json.input === "string" ? json.input : firstWithRole(json.input, "user")) : undefined;
      break;
    case "gemini":
      system = json.systemInstruction ?? json.system_instruction;
      firstTurn = withTurn ? firstWithRole(json.contents, "user") : undefined;
      break;
    default:
      return chatStart(json, withTurn);
  }
  const h = hashPart(hashPart(HASH_SEED, "", system, SYSTEM_BUDGET), "|t", json.tools, TOOLS_BUDGET);
  return withTurn ? hashPart(h, "|u", firstTurn, FIRST_TURN_BUDGET) : h;
}

function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return typeof v === "string" ? (v.length > 0 ? v : undefined) : Array.isArray(v) ? v[0] : undefined;
}

/**
 * The 32-bit conversation hash the balancer keeps on one target (see `@ai-router/balancing`
 * `RendezvousAffinity`). In `session` mode, in order: the body's `prompt_cache_key`, an agent's session
 * header, Anthropic `metadata.user_id`, OpenAI `user` / `safety_identifier`, else the stable start (of a prompt of 1,024 tokens or more). In
 * `prefix` mode: the system prompt and tools only. Reads only what it needs; allocates nothing large.
 */
export function conversationHash(
  ingress: string,
  json: Json,
  headers: IncomingHttpHeaders,
  mode: AffinityMode,
  promptTokens = CACHEABLE_TOKENS,
): number | undefined {
  if (mode === "prefix") return startHash(ingress, json, false);
  if (nonEmpty(json.prompt_cache_key)) return idHash(1, json.prompt_cache_key);
  for (const name of SESSION_HEADERS) {
    const v = headerValue(headers, name);
    if (v !== undefined) return idHash(2, v);
  }
  const metadata = json.metadata;
  if (metadata !== null && typeof metadata === "object" && nonEmpty((metadata as Json).user_id))
    return idHash(3, (metadata as Json).user_id as string);
  if (nonEmpty(json.user)) return idHash(4, json.user);
  if (nonEmpty(json.safety_identifier)) return idHash(4, json.safety_identifier);
  // A short prompt is never cached by a provider: keeping it on one target would buy nothing.
  return promptTokens >= CACHEABLE_TOKENS ? startHash(ingress, json, true) : undefined;
}
