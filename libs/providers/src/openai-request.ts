import type { ChatMessage } from "@ai-router/contracts";
import { RouterError } from "@ai-router/errors";

/** Reading an OpenAI chat request: the pieces every translating adapter (Anthropic, Gemini) needs. */

/**
 * The request fields a translator cannot carry: every field set (not null) that it neither handles nor
 * may safely ignore with that value (`noOp`, e.g. `n: 1`). They go to `x-router-warnings` or a strict 400.
 */
export function unhandledFields(
  req: object,
  handled: ReadonlySet<string>,
  noOp: Readonly<Record<string, (v: unknown) => boolean>>,
): string[] {
  const out: string[] = [];
  const r = req as Record<string, unknown>;
  for (const k in r) {
    const v = r[k];
    if (handled.has(k) || v === null || v === undefined || noOp[k]?.(v)) continue;
    out.push(k);
  }
  return out;
}

/**
 * Parses a base64 `data:` URL (`data:image/png;base64,...`, parameters allowed before `;base64`);
 * undefined for anything else. Found by index (linear whatever the client sends), not by regex.
 */
export function parseDataUrl(url: string): { mediaType: string; data: string } | undefined {
  if (!url.startsWith("data:")) return undefined;
  const comma = url.indexOf(",", 5);
  if (comma < 0) return undefined;
  const header = url.slice(5, comma);
  const semi = header.indexOf(";");
  if (semi <= 0 || !header.endsWith(";base64")) return undefined;
  return { mediaType: header.slice(0, semi), data: url.slice(comma + 1) };
}

/**
 * An assistant tool call's `arguments` (a JSON string) as the object providers take as input; empty
 * means `{}`. Anything but a JSON object is the client's error (400), never a guess.
 */
export function toolArguments(args: string, name: string): Record<string, unknown> {
  let parsed: unknown = {};
  try {
    if (args.trim() !== "") parsed = JSON.parse(args);
  } catch {
    parsed = undefined;
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new RouterError("invalid_request", `The arguments of the tool call to \`${name}\` are not a JSON object.`, { param: "messages" });
  }
  return parsed as Record<string, unknown>;
}

/** The text of a message's content (text parts joined with `sep`; other parts ignored). */
export function contentText(content: ChatMessage["content"], sep = ""): string {
  if (content == null) return "";
  if (typeof content === "string") return content;
  let out = "";
  let first = true;
  for (const p of content) {
    if (p.type !== "text") continue;
    out += (first ? "" : sep) + String((p as { text?: unknown }).text ?? "");
    first = false;
  }
  return out;
}

/**
 * Appends `parts` as a turn of `role`, merged into the previous turn when that has the same role
 * (Anthropic and Gemini want alternating turns). Nothing is appended for no parts.
 */
export function appendTurn<R extends string, P>(turns: { role: R; parts: P[] }[], role: R, parts: P[]): void {
  if (parts.length === 0) return;
  const last = turns[turns.length - 1];
  if (last?.role === role) last.parts.push(...parts);
  else turns.push({ role, parts });
}
