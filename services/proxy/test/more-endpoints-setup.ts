import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { type AudioRerankUpstream, startAudioRerankUpstream } from "@ai-router/testing";
import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach } from "vitest";
import type { RequestFinished } from "../src/pipeline/request-finished.js";
import { startTestProxy, type TestProxy } from "./harness.js";

/**
 * One world for the audio, speech, moderation, rerank and completion tests: a mock upstream that speaks
 * every format (libs/testing audio-rerank.ts), a dead upstream (a closed port) tried first by every
 * model so each endpoint fails over, and a proxy in this process whose finished records are kept.
 */
export const KEY = "sk-more-endpoints-key";
export const MAX_AUDIO = 1024 * 1024;

export interface MoreWorld {
  up: AudioRerankUpstream;
  proxy: TestProxy;
  client: OpenAI;
  records: RequestFinished[];
}

export const world = {} as MoreWorld;

/** A port nothing listens on (a server opened and closed). */
async function deadPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise((resolve) => s.close(resolve));
  return port;
}

const zero = "input_per_mtok: 0, output_per_mtok: 0";

/** Dead first, then `provider` (priority order), with the live target's price. */
const model = (name: string, type: string, provider: string, upstream: string, price = `{ ${zero} }`) => `
  - name: ${name}
    llm_type: ${type}
    strategy: priority
    providers:
      - { provider: dead, model: ${upstream}, priority: 0 }
      - { provider: ${provider}, model: ${upstream}, priority: 1, price: ${price} }`;

export function useMoreWorld(): MoreWorld {
  beforeAll(async () => {
    world.up = await startAudioRerankUpstream();
    const dead = `http://127.0.0.1:${await deadPort()}/v1`;
    const { up } = world;
    world.records = [];
    world.proxy = await startTestProxy(`
server: { max_audio_bytes: ${MAX_AUDIO}, failure_threshold: 1000 }
providers:
  - { name: dead, type: openai-compatible, base_url: "${dead}", api_key: sk-dead, timeout_ms: 2000 }
  - { name: live, type: openai-compatible, base_url: "${up.baseUrl}", api_key: sk-live }
  - { name: live-b, type: openai-compatible, base_url: "${up.baseUrl}", api_key: sk-live-b }
  - { name: deepseek, type: deepseek, base_url: "${up.baseUrl}", api_key: sk-deepseek }
  - { name: qwen, type: qwen, base_url: "${up.url}/compatible-mode/v1", api_key: sk-qwen }
  - { name: siliconflow, type: siliconflow, base_url: "${up.baseUrl}", api_key: sk-siliconflow }
  - { name: mistral, type: mistral, base_url: "${up.baseUrl}", api_key: sk-mistral }
  - { name: jina, type: jina, base_url: "${up.baseUrl}", api_key: sk-jina }
  - { name: voyage, type: voyage, base_url: "${up.baseUrl}", api_key: sk-voyage }
  - { name: cohere, type: cohere, base_url: "${up.url}", api_key: sk-cohere }
models:
  - { name: gpt-4o, providers: [{ provider: live, model: gpt-4o }] }
${model("whisper-1", "transcription", "live", "whisper-large", `{ ${zero}, per_audio_minute: 0.006 }`)}
${model("tts-1", "speech", "live", "tts-upstream", `{ ${zero}, per_mchar: 15 }`)}
${model("omni-moderation-latest", "moderation", "live", "omni-moderation-2024")}
${model("gpt-3.5-turbo-instruct", "completion", "live", "instruct-upstream", "{ input_per_mtok: 1.5, output_per_mtok: 2 }")}
${model("codestral", "completion", "mistral", "codestral-latest")}
${model("jina-reranker", "rerank", "jina", "jina-reranker-v2-base-multilingual")}
${model("voyage-rerank", "rerank", "voyage", "rerank-2")}
${model("cohere-rerank", "rerank", "cohere", "rerank-v3.5", `{ ${zero}, per_search: 0.002 }`)}
${model("tei-rerank", "rerank", "live", "bge-reranker")}
${model("deepseek-fim", "completion", "deepseek", "deepseek-chat", "{ input_per_mtok: 0.28, output_per_mtok: 0.42 }")}
${model("gte-rerank", "rerank", "qwen", "gte-rerank-v2")}
${model("sf-rerank", "rerank", "siliconflow", "BAAI/bge-reranker-v2-m3")}
  - name: whisper-split
    llm_type: transcription
    strategy: priority
    providers: [{ provider: live, model: whisper-a, priority: 0 }, { provider: live-b, model: whisper-b, priority: 1 }]
  - name: mixed-rerank
    llm_type: rerank
    strategy: priority
    providers: [{ provider: mistral, model: m, priority: 0 }, { provider: jina, model: j, priority: 1 }]
keys:
  - { name: main, key: ${KEY} }
  - { name: poor, key: ${KEY}-poor, budget_usd: 0.0001 }
  - { name: poor-audio, key: ${KEY}-poor-audio, budget_usd: 0.0001 }
  - { name: poor-speech, key: ${KEY}-poor-speech, budget_usd: 0.05 }
  - { name: slow, key: ${KEY}-slow, rpm_limit: 1 }
`);
    world.proxy.proxy.onRequestFinished((r) => {
      world.records.push(r);
      const i = waiting.findIndex((w) => w.match(r));
      if (i >= 0) waiting.splice(i, 1)[0]?.resolve(r);
    });
    world.client = new OpenAI({ baseURL: `${world.proxy.url}/v1`, apiKey: KEY, maxRetries: 0 });
  });
  afterAll(async () => {
    await world.proxy.close();
    await world.up.close();
  });
  beforeEach(() => {
    world.up.requests.length = 0;
    world.up.failWith = undefined;
    world.up.failAfterBytes = undefined;
    world.up.holdSpeech = undefined;
  });
  return world;
}

const waiting: { match: (r: RequestFinished) => boolean; resolve: (r: RequestFinished) => void }[] = [];

/**
 * The record of the next request to finish of `endpoint` (call before sending it; records are finished
 * after the answer, so a request before it may still finish first: `match` picks the right one).
 */
export function nextRecord(endpoint: string, match: (r: RequestFinished) => boolean = () => true): Promise<RequestFinished> {
  return new Promise((resolve) => {
    waiting.push({ match: (r) => r.endpoint === endpoint && match(r), resolve });
  });
}

export const post = (path: string, body: string | Buffer | FormData, headers: Record<string, string> = {}, key = KEY) =>
  fetch(`${world.proxy.url}${path}`, { method: "POST", headers: Object.assign({ authorization: `Bearer ${key}` }, headers), body });

export const postJson = (path: string, body: unknown, key = KEY) =>
  post(path, JSON.stringify(body), { "content-type": "application/json" }, key);
