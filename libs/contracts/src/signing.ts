import { createHmac, hkdfSync, timingSafeEqual } from "node:crypto";

/**
 * Signed envelopes for everything the cluster services exchange over NATS (routing tables, spend
 * updates, stats reports, probe reports, KV entries): `ars1.<signature>.<payload>`, where the signature
 * is HMAC-SHA256 (43 base64url characters) over `<context> NUL <payload bytes>` under a key derived with
 * HKDF-SHA256 from ROUTER_MASTER_KEY. Whoever can write to NATS but does not hold the master key cannot
 * produce a table, an update or a report a service accepts. The payload is carried byte for byte, so the
 * signature covers exactly the bytes that are parsed.
 *
 * `context` binds an envelope to where it was published (a subject, or `kv:<bucket>:<key>`), so a signed
 * message cannot be replayed as another kind of message.
 */
export const SIGNED_PREFIX = "ars1.";
const SIG_CHARS = 43; // base64url of 32 bytes, unpadded
const HEADER_BYTES = SIGNED_PREFIX.length + SIG_CHARS + 1;
const HKDF_INFO = "ai-router nats signing v1";

export type VerifyResult = { ok: true; payload: string } | { ok: false; reason: "unsigned" | "malformed" | "bad signature" };

export interface Signer {
  /** Wraps `payload` (UTF-8 text, usually JSON) in a signed envelope. */
  sign(payload: string, context?: string): string;
  /** Checks an envelope and returns its payload; never throws. */
  verify(envelope: string | Uint8Array, context?: string): VerifyResult;
}

/** The HMAC key derived from the 32-byte master key (HKDF-SHA256, its own `info`, so it is never the sealing key). */
export function deriveSigningKey(masterKey: Buffer): Buffer {
  return Buffer.from(hkdfSync("sha256", masterKey, Buffer.alloc(0), HKDF_INFO, 32));
}

/** A signer for one master key (the parsed ROUTER_MASTER_KEY). */
export function createSigner(masterKey: Buffer): Signer {
  const key = deriveSigningKey(masterKey);
  const mac = (context: string, payload: Uint8Array): Buffer =>
    createHmac("sha256", key).update(context, "utf8").update(NUL).update(payload).digest();
  return {
    sign(payload, context = "") {
      return `${SIGNED_PREFIX}${mac(context, Buffer.from(payload, "utf8")).toString("base64url")}.${payload}`;
    },
    verify(envelope, context = "") {
      const bytes =
        typeof envelope === "string"
          ? Buffer.from(envelope, "utf8")
          : Buffer.from(envelope.buffer, envelope.byteOffset, envelope.byteLength);
      if (bytes.length < HEADER_BYTES || !bytes.subarray(0, SIGNED_PREFIX.length).equals(PREFIX_BYTES))
        return { ok: false, reason: "unsigned" };
      if (bytes[HEADER_BYTES - 1] !== DOT) return { ok: false, reason: "malformed" };
      const given = Buffer.from(bytes.subarray(SIGNED_PREFIX.length, HEADER_BYTES - 1).toString("latin1"), "base64url");
      const payload = bytes.subarray(HEADER_BYTES);
      if (given.length !== 32) return { ok: false, reason: "malformed" };
      if (!timingSafeEqual(given, mac(context, payload))) return { ok: false, reason: "bad signature" };
      return { ok: true, payload: payload.toString("utf8") };
    },
  };
}

const NUL = Buffer.from([0]);
const DOT = 0x2e;
const PREFIX_BYTES = Buffer.from(SIGNED_PREFIX, "utf8");

/** The signing context of a KV entry. */
export const kvContext = (bucket: string, key: string): string => `kv:${bucket}:${key}`;
