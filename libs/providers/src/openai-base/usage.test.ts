import { describe, expect, it } from "vitest";
import { extractUsage } from "./usage.js";

describe("extractUsage", () => {
  it("finds the usage object of a completion, nested details included", () => {
    const body = JSON.stringify({
      id: "x",
      choices: [{ message: { content: 'a "usage": {"prompt_tokens": 999} in text' } }],
      usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15, prompt_tokens_details: { cached_tokens: 4 } },
    });
    expect(extractUsage(Buffer.from(body))).toEqual({
      prompt_tokens: 10,
      completion_tokens: 5,
      total_tokens: 15,
      prompt_tokens_details: { cached_tokens: 4 },
    });
  });

  it("handles pretty-printed JSON, braces inside strings, null and absent usage", () => {
    expect(extractUsage('{\n  "usage" : {\n "prompt_tokens": 2, "note": "}{", "completion_tokens": 3\n }\n}')?.total_tokens).toBe(5);
    expect(extractUsage('{"usage":null}')).toBeUndefined();
    expect(extractUsage('{"choices":[]}')).toBeUndefined();
    expect(extractUsage('{"usage":{"prompt_tokens":1')).toBeUndefined();
  });
});
