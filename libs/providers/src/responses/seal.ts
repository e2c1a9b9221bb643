import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";

const PREFIX = "air1.";

/**
 * Seals provider reasoning state (e.g. Anthropic thinking blocks with their signatures) into the
 * opaque `encrypted_content` of a Responses `reasoning` item, and opens it on the next turn.
 * AES-256-GCM with a key derived (HKDF-SHA256) from the server's secret: a client can carry it but
 * neither read nor forge it; anything that does not open is ignored.
 */
export interface ReasoningSealer {
  seal(state: SealedReasoning): string;
  open(token: string): SealedReasoning | undefined;
}

/** What a sealed reasoning item holds. */
export interface SealedReasoning {
  /** The provider type that produced it (state is only given back to the same kind of provider). */
  provider: string;
  /** Provider-native reasoning blocks (Anthropic: `thinking` / `redacted_thinking` with signatures). */
  blocks: unknown[];
  /** The reasoning text, for providers that take it as `reasoning_content`. */
  text?: string;
}

export function createReasoningSealer(secret: string | Buffer): ReasoningSealer {
  const key = Buffer.from(hkdfSync("sha256", secret, "ai-router", "responses reasoning v1", 32));
  return {
    seal(state) {
      const iv = randomBytes(12);
      const c = createCipheriv("aes-256-gcm", key, iv);
      const body = Buffer.concat([c.update(JSON.stringify(state), "utf8"), c.final()]);
      return PREFIX + Buffer.concat([iv, c.getAuthTag(), body]).toString("base64url");
    },
    open(token) {
      if (typeof token !== "string" || !token.startsWith(PREFIX)) return undefined;
      try {
        const raw = Buffer.from(token.slice(PREFIX.length), "base64url");
        if (raw.length < 29) return undefined;
        const d = createDecipheriv("aes-256-gcm", key, raw.subarray(0, 12));
        d.setAuthTag(raw.subarray(12, 28));
        const text = Buffer.concat([d.update(raw.subarray(28)), d.final()]).toString("utf8");
        const v = JSON.parse(text) as SealedReasoning;
        return typeof v.provider === "string" && Array.isArray(v.blocks) ? v : undefined;
      } catch {
        return undefined;
      }
    },
  };
}
