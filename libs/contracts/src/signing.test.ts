import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createSigner, deriveSigningKey, kvContext, SIGNED_PREFIX } from "./signing.js";

const master = randomBytes(32);
const signer = createSigner(master);
const table = JSON.stringify({ revision: 7, providers: [{ name: "p", baseUrl: "https://api.example.com/v1" }], note: "日本語 ✓" });

describe("signed NATS envelopes (HMAC-SHA256 under a key derived from ROUTER_MASTER_KEY)", () => {
  it("round-trips text and bytes and carries the payload byte for byte", () => {
    const env = signer.sign(table, "kv:b:table");
    expect(env.startsWith(SIGNED_PREFIX)).toBe(true);
    expect(env.endsWith(table)).toBe(true);
    expect(signer.verify(env, "kv:b:table")).toEqual({ ok: true, payload: table });
    expect(signer.verify(new TextEncoder().encode(env), "kv:b:table")).toEqual({ ok: true, payload: table });
    expect(signer.verify(signer.sign(""))).toEqual({ ok: true, payload: "" });
  });

  it("refuses unsigned, truncated, tampered, re-targeted and foreign-key envelopes", () => {
    const env = signer.sign(table, kvContext("b", "table"));
    expect(signer.verify(table, kvContext("b", "table"))).toEqual({ ok: false, reason: "unsigned" });
    expect(signer.verify("ars1.short", kvContext("b", "table"))).toEqual({ ok: false, reason: "unsigned" });
    expect(signer.verify(`${env.slice(0, 48)}x${env.slice(49)}`, kvContext("b", "table")).ok).toBe(false);
    // One payload byte changed: a provider pointed at another host.
    const forged = env.replace("api.example.com", "evil.example.com");
    expect(signer.verify(forged, kvContext("b", "table"))).toEqual({ ok: false, reason: "bad signature" });
    // The same bytes under another context (a spend update replayed as a table, another bucket).
    expect(signer.verify(env, kvContext("other", "table"))).toEqual({ ok: false, reason: "bad signature" });
    // Signed with another master key.
    const other = createSigner(randomBytes(32)).sign(table, kvContext("b", "table"));
    expect(signer.verify(other, kvContext("b", "table"))).toEqual({ ok: false, reason: "bad signature" });
    // A signature that is not 32 bytes of base64url.
    expect(signer.verify(`ars1.${"!".repeat(43)}.${table}`, kvContext("b", "table"))).toEqual({ ok: false, reason: "malformed" });
  });

  it("derives a signing key distinct from the sealing key and stable for one master key", () => {
    expect(deriveSigningKey(master).equals(master)).toBe(false);
    expect(deriveSigningKey(master).equals(deriveSigningKey(Buffer.from(master)))).toBe(true);
    expect(createSigner(Buffer.from(master)).sign(table)).toBe(signer.sign(table));
  });
});
