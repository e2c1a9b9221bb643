import type { ProviderType } from "@ai-router/contracts";
import type { PrefillForm } from "./prefill.js";

/**
 * The front-door formats a provider may serve natively (its own wire format, passed through with only
 * the model rewritten). `messages` is Anthropic's Messages API, `responses` OpenAI's Responses API,
 * `gemini` Google's generateContent.
 */
export type NativeFormat = "messages" | "responses" | "gemini";

/**
 * The router endpoints a provider type serves besides its native formats: `chat` (every provider, in
 * the internal form), OpenAI's JSON endpoints (`embeddings`, `images.generations`: the body passed on,
 * or translated by the adapter) and its multipart ones (`images.edits`, `images.variations`). A router
 * endpoint names the one it needs; a target whose provider lacks it is skipped (the next one is tried).
 * Also legacy text `completions` (FIM with `suffix`), `moderations`, `rerank` (translated per provider
 * type), `audio.speech` (audio bytes back) and the multipart `audio.transcriptions` / `audio.translations`.
 */
export type ProviderEndpoint =
  | "chat"
  | "embeddings"
  | "images.generations"
  | "images.edits"
  | "images.variations"
  | "completions"
  | "moderations"
  | "rerank"
  | "audio.speech"
  | "audio.transcriptions"
  | "audio.translations";

/** Who a provider authenticates as and where it lives: the credential and the provider's own headers. */
export interface AuthInput {
  /** The provider's configured extra headers. */
  headers: Readonly<Record<string, string>>;
  apiKey: string | undefined;
}

/**
 * Everything the router knows about a provider type outside of its wire format, in one place: the
 * table compilers (standalone and control plane), the health worker and the proxy read it from here.
 */
export interface ProviderDescriptor {
  readonly type: ProviderType;
  /** Base URL used when the provider row names none (the version path included). */
  readonly defaultBaseUrl?: string;
  /** A provider of this type with no key is disabled (never half-configured). */
  readonly keyRequired: boolean;
  /**
   * The free, token-less endpoint probed by the health worker, under the provider's base path
   * (usually its model list). Undefined: never probed (answers in-process).
   */
  probePath(basePath: string): string | undefined;
  /** The headers that authenticate a request (key header, API version, the provider's extra headers). */
  authHeaders(auth: AuthInput): Record<string, string>;
  /** Front-door formats this provider serves natively (see {@link NativeFormat}). */
  readonly nativeFormats: readonly NativeFormat[];
  /** Router endpoints this provider serves (see {@link ProviderEndpoint}); its adapter implements each. */
  readonly endpoints: readonly ProviderEndpoint[];
  /**
   * How the provider continues an answer from an assistant prefill (see {@link PrefillForm}); absent:
   * it cannot, and is never chosen to continue a broken stream (`stream_continuation`).
   */
  readonly prefill?: PrefillForm;
}

/** What a table compiler knows about one provider row. */
export interface ProviderRowCheck {
  name: string;
  type: string;
  /** The row's own base URL (absent: the type's default). */
  baseUrl: string | null | undefined;
  keyCount: number;
}

/** A provider row as it goes into a routing table, or why it stays out. */
export type ProviderCheckResult =
  | { ok: true; baseUrl: string; descriptor: ProviderDescriptor }
  | { ok: false; problem: "unknown_type" | "no_base_url" | "no_key" };

/**
 * The one validation both table compilers apply to a provider row: a type this build knows, a base
 * URL (its own or the type's default, trailing slashes removed), and a key when the type needs one.
 */
export function checkProviderRow(row: ProviderRowCheck, describe: (type: string) => ProviderDescriptor | undefined): ProviderCheckResult {
  const d = describe(row.type);
  if (!d) return { ok: false, problem: "unknown_type" };
  const baseUrl = (row.baseUrl ?? d.defaultBaseUrl ?? "").replace(/\/+$/, "");
  if (!baseUrl) return { ok: false, problem: "no_base_url" };
  if (row.keyCount === 0 && d.keyRequired) return { ok: false, problem: "no_key" };
  return { ok: true, baseUrl, descriptor: d };
}
