import { describe, expect, it } from "vitest";
import { extractUsage, normalizeUsage } from "./usage.js";
import { lastUsageKey, scanUsageObject } from "./usage-scan.js";

/** What extractUsage returned before the scanner: the last `"usage"`, its braces matched, JSON.parse. */
function reference(text: string): unknown {
  const at = text.lastIndexOf('"usage"');
  if (at < 0) return undefined;
  const m = /^"usage"[\s:]*/.exec(text.slice(at));
  const i = at + (m?.[0].length ?? 0);
  if (text[i] !== "{") return undefined;
  let depth = 0;
  let inString = false;
  for (let j = i; j < text.length; j++) {
    const c = text[j];
    if (inString) {
      if (c === "\\") j++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === "{") depth++;
    else if (c === "}" && --depth === 0) {
      try {
        return normalizeUsage(JSON.parse(text.slice(i, j + 1)));
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/** Same value and same key order (JSON text), or both undefined. */
const same = (text: string) => {
  const got = extractUsage(Buffer.from(text));
  const want = reference(text);
  expect(got === undefined ? undefined : JSON.stringify(got)).toBe(want === undefined ? undefined : JSON.stringify(want));
};

describe("the usage scanner", () => {
  it("reads OpenAI's full usage shape without JSON.parse, with the same result", () => {
    const usage =
      '{"prompt_tokens":12,"completion_tokens":15,"total_tokens":27,"prompt_tokens_details":{"cached_tokens":4,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":3,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}}';
    const b = Buffer.from(usage);
    expect(scanUsageObject(b, 0)).toEqual(JSON.parse(usage));
    same(`{"id":"x","choices":[],"usage":${usage},"system_fingerprint":"fp"}`);
  });

  it("hands anything unusual to JSON.parse: other keys, strings, floats, escapes, repeats, deep nesting", () => {
    for (const u of [
      '{"prompt_tokens":1,"extra":2}',
      '{"prompt_tokens":"1"}',
      '{"prompt_tokens":1.5,"completion_tokens":2}',
      '{"prompt_tokens":1e3}',
      '{"prompt\\u005ftokens":1}',
      '{"prompt_tokens":1,"prompt_tokens":2}',
      '{"prompt_tokens_details":{"cached_tokens":{"x":1}}}',
      '{"prompt_tokens":true}',
      '{"prompt_tokens":01}',
      '{"prompt_tokens":1234567890123456789}',
    ]) {
      expect(scanUsageObject(Buffer.from(u), 0)).toBeUndefined();
      same(`{"usage":${u}}`);
    }
  });

  it("matches the JSON.parse result on generated usage objects, spacing and null details included", () => {
    const keys = ["prompt_tokens", "completion_tokens", "total_tokens", "cached_tokens", "prompt_cache_hit_tokens", "other"];
    const detailKeys = ["cached_tokens", "reasoning_tokens", "audio_tokens", "text_tokens", "image_tokens"];
    let seed = 7;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const sp = () => [" ", "", "\n  ", ""][rnd(4)] as string;
    const val = (): string => ["0", "12", "-3", "null", "4096", "1.0", '"7"', "00"][rnd(8)] as string;
    let scanned = 0;
    for (let n = 0; n < 2000; n++) {
      const parts: string[] = [];
      const used = new Set<string>();
      for (let k = rnd(6); k > 0; k--) {
        const key = keys[rnd(keys.length)] as string;
        if (used.has(key) && rnd(4) > 0) continue;
        used.add(key);
        parts.push(`${sp()}"${key}"${sp()}:${sp()}${val()}${sp()}`);
      }
      if (rnd(2)) {
        const d = detailKeys.slice(0, rnd(detailKeys.length + 1)).map((k) => `"${k}":${val()}`);
        parts.push(`"${rnd(2) ? "prompt_tokens_details" : "completion_tokens_details"}":${rnd(5) ? `{${d.join(",")}}` : "null"}`);
      }
      const text = `{"id":"c${n}","choices":[{"message":{"content":"hi"}}],"usage":${sp()}{${parts.join(",")}}${sp()}}`;
      same(text);
      const b = Buffer.from(text);
      if (scanUsageObject(b, b.indexOf("{", lastUsageKey(b))) !== undefined) scanned++;
    }
    // Both paths are exercised: the scanner's and JSON.parse's.
    expect(scanned).toBeGreaterThan(200);
    expect(scanned).toBeLessThan(1800);
  });

  it("finds the last usage key in the tail and in a long body's earlier part", () => {
    const tail = Buffer.from(`{"a":"usage","usage":{"prompt_tokens":1},"b":"x"}`);
    expect(lastUsageKey(tail)).toBe(tail.indexOf('"usage":'));
    const long = Buffer.from(`{"usage":{"prompt_tokens":9,"completion_tokens":1},"content":"${"x".repeat(5000)}"}`);
    expect(lastUsageKey(long)).toBe(1);
    expect(extractUsage(long)?.total_tokens).toBe(10);
    // A key straddling the edge of the searched tail is found by the fallback search.
    for (let pad = 2010; pad < 2030; pad++) {
      const b = Buffer.from(`{"usage":{"prompt_tokens":2}${" ".repeat(pad)}}`);
      expect(lastUsageKey(b)).toBe(1);
    }
    expect(lastUsageKey(Buffer.from('{"choices":[]}'))).toBe(-1);
    expect(lastUsageKey(Buffer.alloc(5000, 0x20))).toBe(-1);
  });
});
