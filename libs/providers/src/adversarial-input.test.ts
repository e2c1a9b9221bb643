import type { ChatCompletionRequest, ProviderType } from "@ai-router/contracts";
import { describe, expect, it } from "vitest";
import type { RuntimeProvider, TargetContext } from "./adapter.js";
import { estimateInputTokens, toOpenAIRequest } from "./anthropic/index.js";
import { mimeOfUrl } from "./gemini/to-gemini.js";
import { boundaryOf, parseMultipart } from "./multipart.js";
import { parseDataUrl } from "./openai-request.js";
import { getAdapter, registeredTypes } from "./registry.js";

/**
 * Every translator's string handling on client input stays linear: 1 MB of input built to make a
 * backtracking regex or a naive scan go quadratic costs about what 1 MB of plain text costs. The bound
 * is a ratio against that baseline measured in the same test (never a wall-clock constant), checked at
 * 64 KB first so that quadratic code fails in seconds there instead of hanging for minutes at 1 MB.
 */
const SIZES = [64 * 1024, 1024 * 1024];
/** Adversarial / plain. Quadratic work on these inputs is thousands of times the baseline. */
const MAX_RATIO = 30;
/** Timer resolution and scheduling noise on a shared machine: a baseline shorter than this counts as this. */
const FLOOR_MS = 2;

function time(fn: () => void, runs = 1): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    try {
      fn();
    } catch {
      // a 400 for a malformed value is a fine answer; only the time counts
    }
    times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b)[Math.floor(runs / 2)]!;
}

/** One code path, fed `n` bytes of plain text (the baseline) and then each attack's `n` bytes. */
interface Case {
  name: string;
  run: (input: string) => void;
}

const fill = (unit: string, n: number) => unit.repeat(Math.max(1, Math.floor(n / unit.length)));

function target(type: ProviderType): TargetContext {
  const base = type === "anthropic" ? "https://api.example.com" : "https://api.example.com/v1";
  const u = new URL(base);
  const provider: RuntimeProvider = {
    name: "p",
    type,
    baseUrl: base,
    apiKeys: ["k"],
    timeoutMs: 1000,
    connectTimeoutMs: 1000,
    headers: {},
    streamUsage: true,
    maxConnections: 1,
    origin: u.origin,
    basePath: u.pathname,
  };
  return { provider, apiKey: "k", upstreamModel: type === "gemini" ? "gemini-2.5-flash" : "m", params: {}, clientHeaders: {} };
}

/** OpenAI chat requests carrying the input where each translator reads strings: image URLs, data URLs, text, tool arguments, $refs. */
const chatShapes: { name: string; req: (s: string) => ChatCompletionRequest }[] = [
  {
    name: "image URL",
    req: (s) => ({ model: "x", messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: `https://h/${s}` } }] }] }),
  },
  {
    name: "data URL",
    req: (s) => ({ model: "x", messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: `data:${s}` } }] }] }),
  },
  {
    name: "file data",
    req: (s) =>
      ({
        model: "x",
        messages: [{ role: "user", content: [{ type: "file", file: { file_data: `data:${s}` } }] }],
      }) as ChatCompletionRequest,
  },
  { name: "text", req: (s) => ({ model: "x", messages: [{ role: "user", content: s }] }) },
  {
    name: "tool call arguments",
    req: (s) => ({
      model: "x",
      messages: [
        { role: "user", content: "q" },
        {
          role: "assistant",
          content: null,
          tool_calls: [{ id: "c", type: "function", function: { name: "f", arguments: JSON.stringify({ a: s }) } }],
        },
        { role: "tool", tool_call_id: "c", content: s },
      ],
    }),
  },
  {
    name: "tool schema $ref",
    req: (s) => ({
      model: "x",
      messages: [{ role: "user", content: "q" }],
      tools: [{ type: "function", function: { name: "f", parameters: { type: "object", properties: { a: { $ref: `#/$defs/${s}` } } } } }],
    }),
  },
];

/** Strings that make typical backtracking patterns (`\.(\w+)([?#].*)?$`, `(;[^,]*)?;base64,`, `=+$`, `\s+$`) go quadratic. */
const attacks: ((n: number) => string)[] = [
  (n) => `${fill(".a?", n)}\n`,
  (n) => `a${fill(";", n)}`,
  (n) => `${fill("a;", n)}x`,
  (n) => `${fill(".", n)}!`,
  (n) => `${fill("=", n)}a`,
  (n) => `${fill(" \t", n)}x`,
  (n) => `${fill("~1~0", n)}`,
  (n) => `${fill("\r\n", n)}\r`,
];

const cases: Case[] = [];
for (const type of registeredTypes()) {
  const adapter = getAdapter(type)!;
  for (const shape of chatShapes) {
    cases.push({
      name: `${type} chat, ${shape.name}`,
      run: (s) => void adapter.buildChatRequest(shape.req(s), target(type), { stream: false, clientWantsUsage: false }),
    });
  }
}
cases.push(
  {
    name: "Anthropic ingress (image URL, text, tool input)",
    run: (s) => {
      const body = {
        model: "x",
        max_tokens: 10,
        messages: [
          {
            role: "user",
            content: [
              { type: "image", source: { type: "url", url: s } },
              { type: "image", source: { type: "base64", media_type: s, data: s } },
              { type: "text", text: s },
            ],
          },
          { role: "assistant", content: [{ type: "tool_use", id: "t", name: "f", input: { a: s } }] },
        ],
        tools: [{ name: "f", description: s, input_schema: { type: "object" } }],
      } as unknown as Parameters<typeof toOpenAIRequest>[0];
      toOpenAIRequest(body);
      estimateInputTokens(body);
    },
  },
  {
    name: "parseDataUrl / mimeOfUrl",
    run: (s) => {
      parseDataUrl(`data:${s}`);
      mimeOfUrl(s);
      mimeOfUrl(`https://h/${s}`);
    },
  },
  {
    name: "multipart boundary and part headers",
    run: (s) => {
      try {
        boundaryOf(`multipart/form-data; boundary="${s}"; ${s}`);
      } catch {}
      const body = Buffer.from(`--b\r\nContent-Disposition: form-data; name="a"; filename="${s}"; ${s}\r\n\r\nv\r\n--b--\r\n`);
      parseMultipart(body, "b");
    },
  },
);

describe("client strings stay linear in every translator (1 MB of adversarial input vs 1 MB of plain text)", () => {
  it("no case costs more than a bounded ratio of its plain-text baseline", { timeout: 300_000 }, () => {
    const slow: string[] = [];
    for (const size of SIZES) {
      const plain = fill("a", size);
      const inputs = attacks.map((a) => a(size));
      for (const c of cases) {
        const base = Math.max(
          FLOOR_MS,
          time(() => c.run(plain), 3),
        );
        inputs.forEach((bad, i) => {
          if (time(() => c.run(bad)) / base <= MAX_RATIO) return;
          // Measured again before judging: one slow run on a shared machine is not a verdict.
          const again =
            time(() => c.run(bad), 3) /
            Math.max(
              FLOOR_MS,
              time(() => c.run(plain), 3),
            );
          if (again > MAX_RATIO) slow.push(`${c.name}, attack ${i}, ${size} bytes: ${again.toFixed(1)}x the plain-text time`);
        });
      }
      if (slow.length > 0) break; // quadratic at 64 KB: do not spend minutes at 1 MB
    }
    expect(slow).toEqual([]);
  });
});

describe("the linear scans answer as the regexes they replace", () => {
  it("mimeOfUrl reads the path's extension, before any query or fragment", () => {
    expect(mimeOfUrl("https://h/a/photo.PNG")).toBe("image/png");
    expect(mimeOfUrl("https://h/a.jpeg?x=1.pdf#y")).toBe("image/jpeg");
    expect(mimeOfUrl("https://h/doc.pdf#page=2")).toBe("application/pdf");
    expect(mimeOfUrl("https://example.com/image")).toBeUndefined();
    expect(mimeOfUrl("https://h/a.exe")).toBeUndefined();
    expect(mimeOfUrl("https://h/a.constructor")).toBeUndefined();
    expect(mimeOfUrl("gs://bucket/file.webp")).toBe("image/webp");
  });

  it("parseDataUrl takes base64 data URLs with parameters, and nothing else", () => {
    expect(parseDataUrl("data:image/png;base64,iVBO,x")).toEqual({ mediaType: "image/png", data: "iVBO,x" });
    expect(parseDataUrl("data:image/png;charset=x;base64,AAAA")).toEqual({ mediaType: "image/png", data: "AAAA" });
    expect(parseDataUrl("data:;base64,AAAA")).toBeUndefined();
    expect(parseDataUrl("data:image/png,AAAA")).toBeUndefined();
    expect(parseDataUrl("data:image/png;base64")).toBeUndefined();
    expect(parseDataUrl("https://h/a.png")).toBeUndefined();
  });
});
