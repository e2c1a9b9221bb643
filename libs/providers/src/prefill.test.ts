import { describe, expect, it } from "vitest";
import { skipSeam, withPrefill } from "./prefill.js";

const req = { model: "m", messages: [{ role: "user" as const, content: "hi" }], stream: true, n: 1 };

describe("withPrefill", () => {
  it("adds the relayed text as a trailing assistant message in each provider's form", () => {
    expect(withPrefill(req, "Hel", "prefix").req.messages.at(-1)).toEqual({ role: "assistant", content: "Hel", prefix: true });
    expect(withPrefill(req, "Hel", "partial").req.messages.at(-1)).toEqual({ role: "assistant", content: "Hel", partial: true });
    const vllm = withPrefill(req, "Hel", "continue_final_message").req as unknown as Record<string, unknown>;
    expect(vllm.continue_final_message).toBe(true);
    expect(vllm.add_generation_prompt).toBe(false);
    expect(req.messages).toHaveLength(1);
    expect((withPrefill(req, "Hel", "prefix").req as { n?: number }).n).toBeUndefined();
  });

  it("trims trailing whitespace for Anthropic (which refuses it) and reports what it trimmed", () => {
    const p = withPrefill(req, "Hello, \n", "anthropic");
    expect(p.req.messages.at(-1)).toEqual({ role: "assistant", content: "Hello," });
    expect(p.trimmed).toBe(" \n");
  });
});

describe("skipSeam", () => {
  it("does not repeat whitespace the client already has", () => {
    expect(skipSeam(" world", " ")).toBe("world");
    expect(skipSeam("\n\nworld", " ")).toBe("world");
    expect(skipSeam("world", " ")).toBe("world");
    expect(skipSeam(" world", "")).toBe(" world");
  });
});
