import type { Price } from "@ai-router/contracts";

/**
 * The day these prices were read from the providers' public price pages. Prices change: a link's own
 * `price` always wins, and `npm run prices:check` lists models this list does not know.
 */
export const PRICE_LIST_DATE = "2025-10-01";

/** Chinese providers price in CNY; converted at this rate (USD = CNY / rate), rounded to 4 decimals. */
export const CNY_PER_USD = 7.2;

/** One row: the models it prices, optionally only on some provider types (same id, another price). */
export interface PriceRow {
  models: readonly string[];
  /** Provider types this row applies to; absent = any provider serving that model id. */
  providers?: readonly string[];
  price: Price;
}

const usd = (input: number, output: number, cached?: number): Price =>
  cached === undefined
    ? { input_per_mtok: input, output_per_mtok: output }
    : { input_per_mtok: input, output_per_mtok: output, cached_input_per_mtok: cached };
const r4 = (n: number) => Math.round((n / CNY_PER_USD) * 10_000) / 10_000;
const cny = (input: number, output: number, cached?: number): Price =>
  usd(r4(input), r4(output), cached === undefined ? undefined : r4(cached));
/** Anthropic's prompt-cache writes: 5-minute writes at 1.25x the input price, 1-hour writes at 2x. */
const anthropic = (input: number, output: number, cached: number): Price =>
  Object.assign(usd(input, output, cached), {
    cache_write_per_mtok: Math.round(input * 1.25 * 1e4) / 1e4,
    cache_write_1h_per_mtok: input * 2,
  });
const perImage = (usdPerImage: number): Price => ({ input_per_mtok: 0, output_per_mtok: 0, per_image: usdPerImage });
const perAudioMinute = (usd: number): Price => ({ input_per_mtok: 0, output_per_mtok: 0, per_audio_minute: usd });
const perMillionChars = (usd: number): Price => ({ input_per_mtok: 0, output_per_mtok: 0, per_mchar: usd });
const perSearch = (usd: number): Price => ({ input_per_mtok: 0, output_per_mtok: 0, per_search: usd });
/** Realtime models: text tokens (input, cached, output), then audio tokens (input, cached, output). */
const realtime = (text: [number, number, number], audio: [number, number, number]): Price =>
  Object.assign(usd(text[0], text[2], text[1]), {
    input_audio_per_mtok: audio[0],
    cached_input_audio_per_mtok: audio[1],
    output_audio_per_mtok: audio[2],
  });

/** USD per million tokens (input, output, cached input), or per image. Model ids as the providers spell them. */
export const PRICE_LIST: readonly PriceRow[] = [
  // OpenAI
  { models: ["gpt-5", "gpt-5-chat-latest"], price: usd(1.25, 10, 0.125) },
  { models: ["gpt-5-mini"], price: usd(0.25, 2, 0.025) },
  { models: ["gpt-5-nano"], price: usd(0.05, 0.4, 0.005) },
  { models: ["gpt-4.1"], price: usd(2, 8, 0.5) },
  { models: ["gpt-4.1-mini"], price: usd(0.4, 1.6, 0.1) },
  { models: ["gpt-4.1-nano"], price: usd(0.1, 0.4, 0.025) },
  { models: ["gpt-4o", "chatgpt-4o-latest"], price: usd(2.5, 10, 1.25) },
  { models: ["gpt-4o-mini"], price: usd(0.15, 0.6, 0.075) },
  { models: ["o3"], price: usd(2, 8, 0.5) },
  { models: ["o4-mini"], price: usd(1.1, 4.4, 0.275) },
  { models: ["o3-mini", "o1-mini"], price: usd(1.1, 4.4, 0.55) },
  { models: ["o1"], price: usd(15, 60, 7.5) },
  { models: ["gpt-4-turbo"], price: usd(10, 30) },
  { models: ["gpt-3.5-turbo"], price: usd(0.5, 1.5) },
  { models: ["text-embedding-3-small"], price: usd(0.02, 0) },
  { models: ["text-embedding-3-large"], price: usd(0.13, 0) },
  { models: ["text-embedding-ada-002"], price: usd(0.1, 0) },
  { models: ["gpt-image-1"], price: usd(5, 40, 1.25) },
  { models: ["dall-e-3"], price: perImage(0.04) },
  { models: ["dall-e-2"], price: perImage(0.02) },
  { models: ["whisper-1", "gpt-4o-transcribe"], price: perAudioMinute(0.006) },
  { models: ["gpt-4o-mini-transcribe"], price: perAudioMinute(0.003) },
  { models: ["gpt-realtime", "gpt-realtime-2025-08-28"], price: realtime([4, 0.4, 16], [32, 0.4, 64]) },
  { models: ["gpt-realtime-mini"], price: realtime([0.6, 0.06, 2.4], [10, 0.3, 20]) },
  { models: ["gpt-4o-realtime-preview"], price: realtime([5, 2.5, 20], [40, 2.5, 80]) },
  { models: ["gpt-4o-mini-realtime-preview"], price: realtime([0.6, 0.3, 2.4], [10, 0.3, 20]) },
  { models: ["tts-1"], price: perMillionChars(15) },
  { models: ["tts-1-hd"], price: perMillionChars(30) },
  { models: ["omni-moderation-latest", "text-moderation-latest"], price: usd(0, 0) },
  { models: ["gpt-3.5-turbo-instruct"], price: usd(1.5, 2) },
  { models: ["davinci-002"], price: usd(2, 2) },
  { models: ["babbage-002"], price: usd(0.4, 0.4) },
  // Speech to text on Groq (per hour of audio / 60)
  { models: ["whisper-large-v3"], providers: ["groq"], price: perAudioMinute(0.00185) },
  { models: ["whisper-large-v3-turbo"], providers: ["groq"], price: perAudioMinute(0.000667) },
  // Rerank: Cohere per search (USD 2 per 1,000), Jina and Voyage per token
  { models: ["rerank-v3.5", "rerank-english-v3.0", "rerank-multilingual-v3.0"], price: perSearch(0.002) },
  { models: ["jina-reranker-v2-base-multilingual", "jina-reranker-m0"], price: usd(0.02, 0) },
  { models: ["rerank-2"], price: usd(0.05, 0) },
  { models: ["rerank-2-lite"], price: usd(0.02, 0) },
  // Code completion (FIM)
  { models: ["codestral-latest", "codestral-2501"], price: usd(0.3, 0.9) },
  // Anthropic
  { models: ["claude-opus-4-1", "claude-opus-4-1-20250805", "claude-opus-4-0", "claude-opus-4-20250514"], price: anthropic(15, 75, 1.5) },
  {
    models: [
      "claude-sonnet-4-5",
      "claude-sonnet-4-5-20250929",
      "claude-sonnet-4-0",
      "claude-sonnet-4-20250514",
      "claude-3-7-sonnet-latest",
      "claude-3-7-sonnet-20250219",
      "claude-3-5-sonnet-latest",
      "claude-3-5-sonnet-20241022",
    ],
    price: anthropic(3, 15, 0.3),
  },
  { models: ["claude-haiku-4-5", "claude-haiku-4-5-20251001"], price: anthropic(1, 5, 0.1) },
  { models: ["claude-3-5-haiku-latest", "claude-3-5-haiku-20241022"], price: anthropic(0.8, 4, 0.08) },
  { models: ["claude-3-haiku-20240307"], price: anthropic(0.25, 1.25, 0.03) },
  // Google Gemini (prompts up to 200k tokens)
  { models: ["gemini-2.5-pro"], price: usd(1.25, 10, 0.31) },
  { models: ["gemini-2.5-flash"], price: usd(0.3, 2.5, 0.075) },
  { models: ["gemini-2.5-flash-lite"], price: usd(0.1, 0.4, 0.025) },
  { models: ["gemini-2.0-flash"], price: usd(0.1, 0.4, 0.025) },
  { models: ["gemini-2.0-flash-lite"], price: usd(0.075, 0.3) },
  { models: ["gemini-embedding-001"], price: usd(0.15, 0) },
  // DeepSeek (V3.2-Exp prices, from 2025-09-29; cached = cache hit)
  { models: ["deepseek-chat", "deepseek-reasoner"], price: usd(0.28, 0.42, 0.028) },
  // Alibaba Qwen (DashScope international, Singapore)
  { models: ["qwen3-max", "qwen3-max-preview"], price: usd(1.2, 6) },
  { models: ["qwen-max", "qwen-max-latest"], price: usd(1.6, 6.4) },
  { models: ["qwen-plus", "qwen-plus-latest"], price: usd(0.4, 1.2) },
  { models: ["qwen-flash"], price: usd(0.05, 0.4) },
  { models: ["qwen-turbo", "qwen-turbo-latest"], price: usd(0.05, 0.2) },
  { models: ["qwen3-coder-plus"], price: usd(1, 5) },
  { models: ["qwen-vl-max"], price: usd(0.8, 3.2) },
  { models: ["qwen-vl-plus"], price: usd(0.21, 0.63) },
  // DashScope text rerank (its own service, qwen/rerank.ts): 0.0008 CNY per thousand tokens.
  { models: ["gte-rerank", "gte-rerank-v2"], providers: ["qwen"], price: cny(0.8, 0) },
  { models: ["text-embedding-v3", "text-embedding-v4"], price: usd(0.07, 0) },
  // Moonshot (Kimi)
  { models: ["kimi-k2-0905-preview", "kimi-k2-0711-preview"], price: usd(0.6, 2.5, 0.15) },
  { models: ["kimi-k2-turbo-preview"], price: usd(1.15, 8, 0.15) },
  { models: ["moonshot-v1-8k"], price: usd(0.2, 2) },
  { models: ["moonshot-v1-32k"], price: usd(1, 3) },
  { models: ["moonshot-v1-128k"], price: usd(2, 5) },
  // Zhipu (Z.ai international)
  { models: ["glm-4.6", "glm-4.5"], price: usd(0.6, 2.2, 0.11) },
  { models: ["glm-4.5-air"], price: usd(0.2, 1.1, 0.03) },
  { models: ["glm-4.5-flash", "glm-4-flash", "glm-4-flash-250414"], price: usd(0, 0) },
  { models: ["glm-4.5v"], price: usd(0.6, 1.8, 0.11) },
  { models: ["embedding-3"], providers: ["zhipu"], price: cny(0.5, 0) },
  // Baidu Qianfan (ERNIE, CNY)
  { models: ["ernie-4.5-turbo-128k", "ernie-4.5-turbo-32k"], price: cny(0.8, 3.2) },
  { models: ["ernie-x1-turbo-32k"], price: cny(1, 4) },
  { models: ["ernie-4.5-8k-preview"], price: cny(4, 16) },
  { models: ["ernie-speed-128k", "ernie-lite-8k"], price: usd(0, 0) },
  // MiniMax
  { models: ["MiniMax-M2"], price: usd(0.3, 1.2, 0.03) },
  { models: ["MiniMax-M1"], price: usd(0.4, 2.2) },
  { models: ["MiniMax-Text-01"], price: usd(0.2, 1.1) },
  // Volcengine Ark (Doubao, CNY, up to 32k input)
  { models: ["doubao-seed-1-6-250615", "doubao-seed-1-6"], price: cny(0.8, 8, 0.16) },
  { models: ["doubao-seed-1-6-flash-250828", "doubao-seed-1-6-flash"], price: cny(0.15, 1.5, 0.03) },
  { models: ["doubao-1-5-pro-32k-250115", "doubao-1-5-pro-32k"], price: cny(0.8, 2, 0.16) },
  { models: ["doubao-1-5-lite-32k-250115", "doubao-1-5-lite-32k"], price: cny(0.3, 0.6, 0.06) },
  { models: ["doubao-seedream-3-0-t2i-250415"], price: perImage(r4(0.259)) },
  // SiliconFlow (CNY; namespaced ids)
  { models: ["deepseek-ai/DeepSeek-V3"], providers: ["siliconflow"], price: cny(2, 8) },
  { models: ["deepseek-ai/DeepSeek-R1"], providers: ["siliconflow"], price: cny(4, 16) },
  { models: ["Qwen/Qwen2.5-72B-Instruct"], providers: ["siliconflow"], price: cny(4.13, 4.13) },
  { models: ["Qwen/Qwen2.5-7B-Instruct", "THUDM/glm-4-9b-chat"], providers: ["siliconflow"], price: usd(0, 0) },
  { models: ["BAAI/bge-m3"], providers: ["siliconflow"], price: usd(0, 0) },
  // SiliconFlow's rerank models (Jina's format at /v1/rerank), free.
  { models: ["BAAI/bge-reranker-v2-m3", "netease-youdao/bce-reranker-base_v1"], providers: ["siliconflow"], price: usd(0, 0) },
  // Groq
  { models: ["llama-3.3-70b-versatile"], providers: ["groq"], price: usd(0.59, 0.79) },
  { models: ["llama-3.1-8b-instant"], providers: ["groq"], price: usd(0.05, 0.08) },
  { models: ["openai/gpt-oss-120b"], providers: ["groq"], price: usd(0.15, 0.75) },
  { models: ["openai/gpt-oss-20b"], providers: ["groq"], price: usd(0.1, 0.5) },
  { models: ["moonshotai/kimi-k2-instruct-0905", "moonshotai/kimi-k2-instruct"], providers: ["groq"], price: usd(1, 3) },
  // Mistral
  { models: ["mistral-large-latest"], price: usd(2, 6) },
  { models: ["mistral-medium-latest"], price: usd(0.4, 2) },
  { models: ["mistral-small-latest"], price: usd(0.1, 0.3) },
  { models: ["codestral-latest"], price: usd(0.3, 0.9) },
  { models: ["open-mistral-nemo"], price: usd(0.15, 0.15) },
  { models: ["mistral-embed"], price: usd(0.1, 0) },
  // xAI
  { models: ["grok-4", "grok-4-0709"], price: usd(3, 15, 0.75) },
  { models: ["grok-4-fast-reasoning", "grok-4-fast-non-reasoning"], price: usd(0.2, 0.5, 0.05) },
  { models: ["grok-code-fast-1"], price: usd(0.2, 1.5, 0.02) },
  { models: ["grok-3"], price: usd(3, 15, 0.75) },
  { models: ["grok-3-mini"], price: usd(0.3, 0.5, 0.075) },
  // Together AI
  { models: ["meta-llama/Llama-3.3-70B-Instruct-Turbo"], providers: ["together"], price: usd(0.88, 0.88) },
  { models: ["meta-llama/Meta-Llama-3.1-8B-Instruct-Turbo"], providers: ["together"], price: usd(0.18, 0.18) },
  { models: ["deepseek-ai/DeepSeek-V3"], providers: ["together"], price: usd(1.25, 1.25) },
  { models: ["deepseek-ai/DeepSeek-R1"], providers: ["together"], price: usd(3, 7) },
  { models: ["Qwen/Qwen2.5-72B-Instruct-Turbo"], providers: ["together"], price: usd(1.2, 1.2) },
];
