import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { decryptSecret, encryptSecret, parseMasterKey, SecretError } from "./secrets.js";

const key = randomBytes(32);

describe("provider key sealing (AES-256-GCM)", () => {
  it("round-trips and never repeats a ciphertext", () => {
    const a = encryptSecret("sk-live-abc", key);
    const b = encryptSecret("sk-live-abc", key);
    expect(a).not.toBe(b);
    expect(a).not.toContain("sk-live-abc");
    expect(decryptSecret(a, key)).toBe("sk-live-abc");
  });

  it("refuses a wrong key, a tampered ciphertext and a truncated tag", () => {
    const sealed = encryptSecret("sk-live-abc", key);
    expect(() => decryptSecret(sealed, randomBytes(32))).toThrow(SecretError);
    const [iv, tag, ct] = sealed.slice("enc:v1:".length).split(":") as [string, string, string];
    const flipped = Buffer.from(ct, "base64");
    flipped[0] = (flipped[0] ?? 0) ^ 1;
    expect(() => decryptSecret(`enc:v1:${iv}:${tag}:${flipped.toString("base64")}`, key)).toThrow(SecretError);
    const short = Buffer.from(tag, "base64").subarray(0, 4).toString("base64");
    expect(() => decryptSecret(`enc:v1:${iv}:${short}:${ct}`, key)).toThrow(SecretError);
  });

  it("takes a master key as 64 hex characters or base64 of 32 bytes, and nothing else", () => {
    expect(parseMasterKey(key.toString("hex"))).toEqual(key);
    expect(parseMasterKey(key.toString("base64"))).toEqual(key);
    expect(() => parseMasterKey("too-short")).toThrow(/32 bytes/);
  });
});
