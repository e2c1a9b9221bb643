import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

/** Prefix of secrets sealed with AES-256-GCM under ROUTER_MASTER_KEY. */
export const SECRET_PREFIX = "enc:v1:";

export class SecretError extends Error {
  override readonly name = "SecretError";
}

/**
 * Parses ROUTER_MASTER_KEY: 32 bytes as 64 hex characters or as base64. Throws SecretError otherwise
 * (the message never contains the value).
 */
export function parseMasterKey(value: string): Buffer {
  const v = value.trim();
  if (/^[0-9a-fA-F]{64}$/.test(v)) return Buffer.from(v, "hex");
  if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(v)) {
    const b = Buffer.from(v.replaceAll("-", "+").replaceAll("_", "/"), "base64");
    if (b.length === 32) return b;
  }
  throw new SecretError("ROUTER_MASTER_KEY must be 32 bytes: 64 hex characters or base64 (e.g. `openssl rand -hex 32`)");
}

/** Seals `plaintext` as `enc:v1:<iv>:<tag>:<ciphertext>` (base64 parts, 96-bit random IV). */
export function encryptSecret(plaintext: string, key: Buffer): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  const ct = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return `${SECRET_PREFIX}${iv.toString("base64")}:${cipher.getAuthTag().toString("base64")}:${ct.toString("base64")}`;
}

export const isSealed = (secret: string): boolean => secret.startsWith(SECRET_PREFIX);

/** Opens an `enc:v1:` secret; plaintext secrets pass through. Throws SecretError on a wrong key or tampering. */
export function decryptSecret(secret: string, key: Buffer | undefined): string {
  if (!isSealed(secret)) return secret;
  if (!key) throw new SecretError("encrypted secret but no ROUTER_MASTER_KEY configured");
  const [iv, tag, ct] = secret.slice(SECRET_PREFIX.length).split(":");
  if (iv === undefined || tag === undefined || ct === undefined) throw new SecretError("malformed encrypted secret");
  try {
    // A full 16-byte tag only: GCM would otherwise accept a truncated (forgeable) one.
    const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64"), { authTagLength: 16 });
    decipher.setAuthTag(Buffer.from(tag, "base64"));
    return Buffer.concat([decipher.update(Buffer.from(ct, "base64")), decipher.final()]).toString("utf8");
  } catch (err) {
    throw new SecretError("cannot decrypt secret: wrong ROUTER_MASTER_KEY or corrupted value", { cause: err });
  }
}
