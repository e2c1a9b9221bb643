import { ChatCompletionRequest } from "./openai-chat.js";

/**
 * The common chat request (text messages of the system, developer, user and assistant roles; model,
 * stream, stream_options, max_tokens, temperature, top_p, user; any field the schema does not know),
 * recognised without zod: true only for bodies `ChatCompletionRequest` accepts as they are. Any field or
 * message this does not check sends the body to the schema (which also words the 400). zod's generic
 * walk costs several microseconds a request on the proxy's hot path; this is a few property reads.
 */
export function isPlainChatRequest(body: Record<string, unknown>): body is ChatCompletionRequest {
  for (const k in body) {
    const v = body[k];
    switch (k) {
      case "model":
        if (typeof v !== "string" || v.length === 0) return false;
        break;
      case "messages":
        if (!plainMessages(v)) return false;
        break;
      case "stream":
        if (v !== null && typeof v !== "boolean") return false;
        break;
      case "stream_options":
        if (v !== null && !(isObject(v) && (v.include_usage === undefined || typeof v.include_usage === "boolean"))) return false;
        break;
      case "max_tokens":
      case "max_completion_tokens":
        if (v !== null && !(Number.isInteger(v) && (v as number) > 0)) return false;
        break;
      case "temperature":
        if (v !== null && !inRange(v, 0, 2)) return false;
        break;
      case "top_p":
        if (v !== null && !inRange(v, 0, 1)) return false;
        break;
      case "user":
        if (typeof v !== "string") return false;
        break;
      default:
        // A field the schema checks and this does not: zod decides.
        if (SCHEMA_KEYS.has(k)) return false;
    }
  }
  return typeof body.model === "string" && body.messages !== undefined;
}

const SCHEMA_KEYS = new Set(Object.keys(ChatCompletionRequest.shape));
const TEXT_ROLES = new Set(["system", "developer", "user"]);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const inRange = (v: unknown, min: number, max: number) => typeof v === "number" && v >= min && v <= max;

function plainMessages(v: unknown): boolean {
  if (!Array.isArray(v) || v.length === 0) return false;
  for (const m of v) {
    if (!isObject(m) || (m.name !== undefined && typeof m.name !== "string")) return false;
    if (TEXT_ROLES.has(m.role as string)) {
      if (typeof m.content !== "string") return false;
    } else if (m.role === "assistant") {
      if (m.content !== undefined && m.content !== null && typeof m.content !== "string") return false;
      if (m.tool_calls !== undefined || (m.reasoning_content !== undefined && typeof m.reasoning_content !== "string")) return false;
    } else return false;
  }
  return true;
}
