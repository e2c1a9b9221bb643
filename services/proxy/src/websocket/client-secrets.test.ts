import type { TableClientKey } from "@ai-router/contracts";
import { describe, expect, it } from "vitest";
import { ClientSecrets, presentedToken } from "./client-secrets.js";

const secrets = new ClientSecrets("test-secret");
const key = { name: "k", sha256: "ab".repeat(32) } as TableClientKey;
const keys = new Map([[key.sha256, key]]);
const later = Math.floor(Date.now() / 1000) + 60;

describe("ClientSecrets", () => {
  it("accepts what it minted, for its key and model", () => {
    const t = secrets.mint({ k: key.sha256, e: later, m: "rt" });
    expect(secrets.keyOf({ authorization: `Bearer ${t}` }, keys, "rt")).toBe(key);
    expect(secrets.keyOf({ "sec-websocket-protocol": `realtime, openai-insecure-api-key.${t}` }, keys, "rt")).toBe(key);
  });

  it("refuses a tampered, expired, foreign or other-model token, and one whose key is gone", () => {
    const t = secrets.mint({ k: key.sha256, e: later, m: "rt" });
    const [head, sig] = t.split(".") as [string, string];
    const forged = `${head.slice(0, -2)}xx.${sig}`;
    expect(() => secrets.keyOf({ authorization: `Bearer ${forged}` }, keys, "rt")).toThrow(/invalid or has expired/);
    const old = secrets.mint({ k: key.sha256, e: Math.floor(Date.now() / 1000) - 1 });
    expect(() => secrets.keyOf({ authorization: `Bearer ${old}` }, keys, "rt")).toThrow(/invalid or has expired/);
    const other = new ClientSecrets("another-replica-secret").mint({ k: key.sha256, e: later });
    expect(() => secrets.keyOf({ authorization: `Bearer ${other}` }, keys, "rt")).toThrow(/invalid/);
    expect(() => secrets.keyOf({ authorization: `Bearer ${t}` }, keys, "other-model")).toThrow(/another model/);
    expect(() => secrets.keyOf({ authorization: `Bearer ${t}` }, new Map(), "rt")).toThrow(/invalid/);
  });

  it("a plain key is not a token (the normal key check handles it)", () => {
    expect(presentedToken({ authorization: "Bearer sk-plain" })).toBeUndefined();
    expect(secrets.keyOf({ authorization: "Bearer sk-plain" }, keys, "rt")).toBeUndefined();
  });
});
