import type { RouterError } from "@ai-router/errors";
import { maskSecret } from "@ai-router/logger";
import type { RuntimeProvider, UpstreamError } from "@ai-router/providers";

/** Longest upstream error text relayed to a client. */
const MAX_MESSAGE = 1_000;
/** Credential shapes upstreams echo in error text (linear patterns: no nested quantifiers). */
const CREDENTIALS = [/\b(?:sk|rk|pk|ak)-[A-Za-z0-9_-]{12,}/g, /\bAIza[0-9A-Za-z_-]{20,}/g, /\b[Bb]earer\s+[A-Za-z0-9._~+/=-]{8,}/g];

/**
 * An upstream's error text as a client may see it: the provider's own keys and header values (the
 * router's credentials, which some upstreams echo back) and anything shaped like a credential masked,
 * and the length capped. The status, type and code are kept.
 */
export function maskUpstreamMessage(message: string, provider: Pick<RuntimeProvider, "apiKeys" | "headers">): string {
  let m = message.length > MAX_MESSAGE ? `${message.slice(0, MAX_MESSAGE)}...` : message;
  for (const secret of [...provider.apiKeys, ...Object.values(provider.headers)]) {
    if (secret.length >= 8 && m.includes(secret)) m = m.split(secret).join(maskSecret(secret));
  }
  for (const re of CREDENTIALS) m = m.replace(re, (s) => maskSecret(s));
  return m;
}

/** The same error with its message masked (upstream errors only; the router's own are client-safe already). */
export function maskUpstreamError<E extends UpstreamError | RouterError>(e: E, provider: Pick<RuntimeProvider, "apiKeys" | "headers">): E {
  if (!("retryable" in e)) return e;
  const message = maskUpstreamMessage(e.message, provider);
  return message === e.message ? e : Object.assign({}, e, { message });
}
