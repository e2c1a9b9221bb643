import type { OpenAIUsage, Price } from "@ai-router/contracts";
import { z } from "zod";
import { costOfTokens } from "../record/cost.js";

/**
 * A cached answer: the client's bytes as they went out (a JSON body, or a whole event stream) and what
 * the answer cost when it was made, so a hit can say what it saved. Stored as one header line of JSON
 * then the body's bytes unescaped.
 */
export interface CacheEntry {
  /** `json`: a response body; `sse`: a whole event stream, from its first event to its end marker. */
  kind: "json" | "sse";
  provider: string;
  upstreamModel: string;
  usage: OpenAIUsage | undefined;
  price: Price | undefined;
  /** Unix ms it was stored. */
  at: number;
  body: string;
}

/** The header line as read back (tolerant: another release may have written it). */
const EntryHead = z.object({
  v: z.literal(1),
  kind: z.enum(["json", "sse"]),
  provider: z.string(),
  upstreamModel: z.string(),
  usage: z.record(z.string(), z.unknown()).nullable(),
  price: z.record(z.string(), z.unknown()).nullable(),
  at: z.number(),
});

export function encodeEntry(e: CacheEntry): Buffer {
  const head = JSON.stringify({
    v: 1,
    kind: e.kind,
    provider: e.provider,
    upstreamModel: e.upstreamModel,
    usage: e.usage ?? null,
    price: e.price ?? null,
    at: e.at,
  });
  return Buffer.from(`${head}\n${e.body}`, "utf8");
}

/** The entry, or undefined for bytes this release cannot read (treated as a miss). */
export function decodeEntry(data: Buffer): CacheEntry | undefined {
  const nl = data.indexOf(10);
  if (nl < 0) return undefined;
  let head: z.infer<typeof EntryHead>;
  try {
    head = EntryHead.parse(JSON.parse(data.subarray(0, nl).toString("utf8")));
  } catch {
    return undefined;
  }
  return {
    kind: head.kind,
    provider: head.provider,
    upstreamModel: head.upstreamModel,
    usage: (head.usage ?? undefined) as OpenAIUsage | undefined,
    price: (head.price ?? undefined) as Price | undefined,
    at: head.at,
    body: data.subarray(nl + 1).toString("utf8"),
  };
}

const int = (n: unknown) => (typeof n === "number" && Number.isFinite(n) && n > 0 ? Math.round(n) : 0);

/** USD the cached answer cost when it was made (what a hit saves); null without a price or usage. */
export function entryCostUsd(e: CacheEntry): number | null {
  const u = e.usage;
  if (e.price === undefined || u === undefined) return null;
  const prompt = int(u.prompt_tokens);
  const cached = Math.min(prompt, int(u.prompt_tokens_details?.cached_tokens));
  const written = Math.min(prompt - cached, int(u.prompt_tokens_details?.cache_creation_tokens));
  const written1h = Math.min(written, int(u.prompt_tokens_details?.cache_creation_1h_tokens));
  return costOfTokens(prompt, int(u.completion_tokens), cached, u, e.price, written, written1h);
}
