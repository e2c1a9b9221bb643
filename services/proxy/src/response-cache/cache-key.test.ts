import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { cacheKey, canonicalBody, clientCacheControl } from "./cache-key.js";

const key = (body: Record<string, unknown>, over: Partial<Parameters<typeof cacheKey>[0]> = {}) =>
  cacheKey({ format: "openai-chat", model: "m", owner: "k1", body, headers: {}, ...over });

/** The same JSON value with every object's keys in another order (chosen by `seed`). */
function shuffled(v: unknown, seed: number): unknown {
  if (Array.isArray(v)) return v.map((x, i) => shuffled(x, seed + i));
  if (v === null || typeof v !== "object") return v;
  const entries = Object.entries(v as Record<string, unknown>);
  entries.sort((a, b) => ((a[0].length * 31 + seed) % 7) - ((b[0].length * 31 + seed) % 7) || (seed % 2 ? 1 : -1));
  const out: Record<string, unknown> = {};
  // defineProperty: a `__proto__` key stays an own key, as JSON.parse makes it.
  for (const [k, x] of entries.reverse())
    Object.defineProperty(out, k, { value: shuffled(x, seed + 1), enumerable: true, writable: true, configurable: true });
  return out;
}

const jsonValue = fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<unknown>;
const request = fc.record({
  model: fc.constant("m"),
  messages: fc.array(fc.record({ role: fc.constantFrom("user", "assistant", "system"), content: fc.string() }), {
    minLength: 1,
    maxLength: 4,
  }),
  temperature: fc.option(fc.double({ min: 0, max: 2, noNaN: true }), { nil: undefined }),
  max_tokens: fc.option(fc.integer({ min: 1, max: 4096 }), { nil: undefined }),
  tools: fc.option(
    fc.array(fc.record({ type: fc.constant("function"), function: fc.record({ name: fc.string(), parameters: jsonValue }) })),
    {
      nil: undefined,
    },
  ),
  extra: fc.option(fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), jsonValue, { maxKeys: 4 }), { nil: undefined }),
});

describe("response cache keys", () => {
  it("are the same whatever the order of keys, at any depth", () => {
    fc.assert(
      fc.property(request, fc.integer({ min: 0, max: 1000 }), (req, seed) => {
        const body = JSON.parse(JSON.stringify(req)) as Record<string, unknown>;
        expect(key(shuffled(body, seed) as Record<string, unknown>)).toBe(key(body));
      }),
    );
  });

  it("differ when any parameter changes, is added or removed", () => {
    fc.assert(
      fc.property(request, fc.string({ minLength: 1, maxLength: 12 }), jsonValue, (req, field, value) => {
        const body = JSON.parse(JSON.stringify(req)) as Record<string, unknown>;
        fc.pre(
          !["stream", "stream_options", "user", "safety_identifier", "metadata", "prompt_cache_key", "prompt_cache_retention"].includes(
            field,
          ),
        );
        fc.pre(value !== null && body[field] === undefined);
        // Values equal to the API's defaults are the same request (below); any other addition is not.
        fc.pre(canonicalBody("openai-chat", { [field]: value }) !== "{}");
        expect(key({ ...body, [field]: value })).not.toBe(key(body));
        const changed = structuredClone(body);
        (changed.messages as { content: string }[])[0]!.content += "!";
        expect(key(changed)).not.toBe(key(body));
        expect(key(body, { model: "other" })).not.toBe(key(body));
      }),
    );
  });

  it("ignore how the answer is delivered and who asked, and defaults spelled out", () => {
    const body = { model: "m", messages: [{ role: "user", content: "hi" }] };
    expect(key({ ...body, stream: true, stream_options: { include_usage: true }, user: "u-1", metadata: { a: "b" } })).toBe(key(body));
    expect(key({ ...body, n: 1, temperature: 1, top_p: 1, presence_penalty: 0, tool_choice: null })).toBe(key(body));
    expect(key({ ...body, temperature: 0.2 })).not.toBe(key(body));
    expect(key({ ...body, n: 2 })).not.toBe(key(body));
  });

  it("are per client key unless shared, per format, and per Anthropic beta header", () => {
    const body = { model: "m", messages: [{ role: "user", content: "hi" }] };
    expect(key(body, { owner: "k2" })).not.toBe(key(body));
    expect(key(body, { format: "anthropic-messages" })).not.toBe(key(body));
    const beta = { format: "anthropic-messages", headers: { "anthropic-beta": "context-1m-2025-08-07" } };
    expect(key(body, beta)).not.toBe(key(body, { format: "anthropic-messages" }));
  });
});

describe("client cache-control", () => {
  it("no-cache skips the lookup but stores; no-store does neither", () => {
    expect(clientCacheControl({})).toEqual({ read: true, write: true });
    expect(clientCacheControl({ "cache-control": "no-cache" })).toEqual({ read: false, write: true });
    expect(clientCacheControl({ "cache-control": "No-Store" })).toEqual({ read: false, write: false });
    expect(clientCacheControl({ "cache-control": "max-age=0, no-cache, no-store" })).toEqual({ read: false, write: false });
  });
});
