import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import type { TableClientKey } from "@ai-router/contracts";
import { RouterError } from "@ai-router/errors";
import { maskSecret } from "@ai-router/logger";

/** The key a client presented: `Authorization: Bearer <key>`, `x-api-key` or `x-goog-api-key` (Gemini's clients). */
export function presentedKey(headers: IncomingHttpHeaders): string | undefined {
  const auth = headers.authorization;
  if (auth && auth.length > 7 && auth.slice(0, 7).toLowerCase() === "bearer ") return auth.slice(7).trim();
  const x = headers["x-api-key"] ?? headers["x-goog-api-key"];
  return typeof x === "string" && x ? x.trim() : undefined;
}

/**
 * Finds the client key. Keys are compared as SHA-256 digests with a constant-time compare, so
 * neither the lookup nor the compare leaks how much of a key matched. With `required` and no key
 * at all (the last one deleted), every request is refused: auth is never switched off by data.
 */
export function authenticate(
  headers: IncomingHttpHeaders,
  keys: ReadonlyMap<string, TableClientKey>,
  now = Date.now(),
  required = keys.size > 0,
  /** A key from the query string (`?key=`), for routes that accept one. */
  queryKey?: string,
): TableClientKey | undefined {
  if (!required) return undefined;
  const key = presentedKey(headers) ?? (queryKey?.trim() || undefined);
  if (!key) {
    throw new RouterError(
      "missing_api_key",
      "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
    );
  }
  const digest = createHash("sha256").update(key).digest();
  const hex = digest.toString("hex");
  const found = keys.get(hex);
  if (!found || !timingSafeEqual(Buffer.from(found.sha256, "hex"), digest) || (found.expiresAt !== undefined && found.expiresAt <= now)) {
    throw new RouterError("invalid_api_key", `Incorrect API key provided: ${maskSecret(key)}.`);
  }
  return found;
}

/** 403 when the key may not use the model. */
export function authorizeModel(key: TableClientKey | undefined, model: string): void {
  if (key?.models && !key.models.includes(model)) {
    throw new RouterError("model_not_allowed", `This API key (${key.name}) is not allowed to use the model \`${model}\`.`, {
      param: "model",
    });
  }
}
