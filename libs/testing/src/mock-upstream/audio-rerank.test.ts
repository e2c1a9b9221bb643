import OpenAI, { toFile } from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AudioRerankUpstream, MOCK_AUDIO_SECONDS, startAudioRerankUpstream } from "./audio-rerank.js";

// The mock speaks OpenAI's formats as OpenAI's own SDK reads them (pointed at it directly, no router).
let up: AudioRerankUpstream;
let sdk: OpenAI;
beforeAll(async () => {
  up = await startAudioRerankUpstream();
  sdk = new OpenAI({ baseURL: up.baseUrl, apiKey: "sk-direct", maxRetries: 0 });
});
afterAll(() => up.close());

describe("audio, completions and moderations mock, read by the openai SDK", () => {
  it("transcriptions in json, verbose_json and text; translations; the form as sent", async () => {
    const file = await toFile(Buffer.from("RIFF....WAVE"), "a.wav", { type: "audio/wav" });
    expect((await sdk.audio.transcriptions.create({ file, model: "whisper-1" })).text).toBe("Transcribed whisper-1.");
    const v = await sdk.audio.transcriptions.create({ file, model: "whisper-1", response_format: "verbose_json" });
    expect(v.duration).toBe(MOCK_AUDIO_SECONDS);
    expect(String(await sdk.audio.transcriptions.create({ file, model: "whisper-1", response_format: "text" }))).toMatch(/^Transcribed/);
    expect((await sdk.audio.translations.create({ file, model: "whisper-1" })).text).toBe("Hello from the router.");
    expect(up.requests.at(-1)?.file?.bytes.toString()).toBe("RIFF....WAVE");
  });

  it("speech bytes, completions plain and streamed, moderations", async () => {
    const speech = await sdk.audio.speech.create({ model: "tts-1", voice: "alloy", input: "hi" });
    expect(Buffer.from(await speech.arrayBuffer()).equals(up.speech)).toBe(true);
    expect((await sdk.completions.create({ model: "m", prompt: "hello" })).choices[0]?.text).toBe(" world");
    let text = "";
    for await (const c of await sdk.completions.create({ model: "m", prompt: "a", suffix: "b", stream: true })) text += c.choices[0]?.text;
    expect(text).toBe("/* between 1 and 1 */");
    expect((await sdk.moderations.create({ model: "omni", input: "kill" })).results[0]?.flagged).toBe(true);
  });

  it("rerank in Jina's, Voyage's and Cohere's v2 shapes", async () => {
    const post = async (path: string, body: unknown) =>
      (await (await fetch(`${up.url}${path}`, { method: "POST", body: JSON.stringify(body) })).json()) as Record<string, unknown>;
    const docs = ["red apple", "green pear"];
    expect(await post("/v1/rerank", { model: "j", query: "pear", documents: docs, return_documents: true })).toMatchObject({
      results: [{ index: 1, relevance_score: 1, document: { text: "green pear" } }, { index: 0 }],
      usage: { total_tokens: 21 },
    });
    expect(await post("/v1/rerank", { model: "v", query: "pear", documents: docs, top_k: 1 })).toMatchObject({
      object: "list",
      data: [{ index: 1, relevance_score: 1 }],
    });
    expect(await post("/v2/rerank", { model: "c", query: "apple", documents: docs })).toMatchObject({
      results: [{ index: 0 }, { index: 1 }],
      meta: { billed_units: { search_units: 1 } },
    });
  });
});
