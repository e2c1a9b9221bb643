import { describe, expect, it } from "vitest";
import { MAX_JSON_DEPTH, withinJsonDepth } from "./json-depth.js";

const nested = (depth: number, inner = "1") => Buffer.from("[".repeat(depth) + inner + "]".repeat(depth));
const pad = (s: string) => Buffer.from(`${s}${" ".repeat(400)}`);

/** A flat chat body of about `bytes` bytes: many messages of plain text. */
function flatBody(bytes: number): Buffer {
  const msg = JSON.stringify({ role: "user", content: "lorem ipsum dolor sit amet ".repeat(40) });
  const n = Math.ceil(bytes / (msg.length + 1));
  return Buffer.from(`{"model":"m","messages":[${Array(n).fill(msg).join(",")}]}`);
}

function timeMs(f: () => void, rounds: number): number {
  const t = process.hrtime.bigint();
  for (let i = 0; i < rounds; i++) f();
  return Number(process.hrtime.bigint() - t) / 1e6 / rounds;
}

describe("withinJsonDepth (deep bodies refused before JSON.parse)", () => {
  it("accepts nesting up to the limit and refuses one level more, arrays and objects alike", () => {
    expect(withinJsonDepth(nested(MAX_JSON_DEPTH))).toBe(true);
    expect(withinJsonDepth(nested(MAX_JSON_DEPTH + 1))).toBe(false);
    const obj = (d: number) => Buffer.from(`${'{"a":'.repeat(d)}1${"}".repeat(d)}`);
    expect(withinJsonDepth(obj(MAX_JSON_DEPTH))).toBe(true);
    expect(withinJsonDepth(obj(MAX_JSON_DEPTH + 1))).toBe(false);
    expect(withinJsonDepth(nested(5), 4)).toBe(false);
  });

  it("does not count brackets inside strings, escaped quotes included", () => {
    const inString = JSON.stringify({ text: `${"[".repeat(500)}\\"{{{{${"{".repeat(500)}` });
    expect(withinJsonDepth(pad(inString))).toBe(true);
    // An escaped backslash before a quote ends the string: the brackets after it count.
    const after = `{"a":"x\\\\",  "b":${"[".repeat(200)}${"]".repeat(200)}}`;
    expect(JSON.parse(after).a).toBe("x\\");
    expect(withinJsonDepth(pad(after))).toBe(false);
    // An escaped quote does not end it: the brackets are still inside.
    const escaped = `{"a":"x\\"${"[".repeat(200)}"}`;
    expect(JSON.parse(escaped).a).toMatch(/^x"\[+$/);
    expect(withinJsonDepth(pad(escaped))).toBe(true);
  });

  it("leaves malformed JSON to JSON.parse (an unterminated string ends the scan)", () => {
    expect(withinJsonDepth(pad(`{"a":"${"[".repeat(300)}`))).toBe(true);
  });

  it("a deep 9 MB body is refused in a few milliseconds, and a flat body of the same size scans faster than JSON.parse", () => {
    const deep = nested(4_500_000);
    const flat = flatBody(deep.length);
    // The deep body stops at the limit: far cheaper than parsing it (1.3 s on the reviewer's machine).
    expect(timeMs(() => withinJsonDepth(deep), 5)).toBeLessThan(5);
    expect(withinJsonDepth(flat)).toBe(true);
    const scan = timeMs(() => withinJsonDepth(flat), 5);
    const parse = timeMs(() => JSON.parse(flat.toString("utf8")), 5);
    console.log(`9 MB flat body: scan ${scan.toFixed(2)} ms, JSON.parse ${parse.toFixed(2)} ms (ratio ${(scan / parse).toFixed(3)})`);
    expect(scan).toBeLessThan(parse);
  });
});
