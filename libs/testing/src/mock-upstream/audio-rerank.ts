import { EventEmitter } from "node:events";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A mock upstream for the endpoints besides chat: OpenAI's audio transcriptions and translations
 * (multipart, every response format, transcript streams), speech (audio bytes in chunks, or
 * `stream_format: "sse"`), moderations, legacy completions (JSON and SSE, `suffix`), Mistral's FIM,
 * DeepSeek's beta completions (`/beta/completions`), and rerank in Jina's (`/v1/rerank`), Voyage's
 * (`/v1/rerank` with `top_k`), Cohere's v2 (`/v2/rerank`) and DashScope's (`/api/v1/services/rerank/...`)
 * formats. Each request is kept (`requests`) from its first byte, with its JSON or form fields once read.
 */
export interface AudioRerankRequest {
  path: string;
  headers: IncomingMessage["headers"];
  json?: Record<string, unknown>;
  fields?: Record<string, string>;
  file?: { name: string; type: string; bytes: Buffer };
  /** Bytes received so far. */
  size: number;
  /** The body was received to its end. */
  complete: boolean;
  /** The sender closed the request before its end. */
  aborted: boolean;
}

export interface AudioRerankUpstream {
  url: string;
  /** `<url>/v1`: where OpenAI-style clients point. */
  baseUrl: string;
  requests: AudioRerankRequest[];
  /** The audio a speech request gets back, sent in `speechChunks` pieces. */
  speech: Buffer;
  speechChunks: number;
  /** Requests arriving at any path answer this status (an OpenAI error body) while set. */
  failWith: number | undefined;
  /** The next request answers 503 once this many of its body bytes arrived (without reading the rest); then cleared. */
  failAfterBytes: number | undefined;
  /** Speech answers wait for this while set (to keep requests in flight). */
  holdSpeech: Promise<void> | undefined;
  /** `data` (request, chunk) as body bytes arrive; `aborted` (request) when a sender hangs up. */
  events: EventEmitter;
  close(): Promise<void>;
}

/** Seconds a transcription reports as its `duration`. */
export const MOCK_AUDIO_SECONDS = 2.5;

const words = (s: string) => s.toLowerCase().split(/\W+/).filter(Boolean);
/** Share of the query's words a document holds: a deterministic relevance score. */
const score = (query: string, doc: string) => {
  const q = words(query);
  const d = new Set(words(doc));
  return q.length === 0 ? 0 : Math.round((q.filter((w) => d.has(w)).length / q.length) * 1000) / 1000;
};

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

/** Reads a body whole, noting its progress on `rec`; undefined when it answered early or the sender hung up. */
function readAll(up: AudioRerankUpstream, req: IncomingMessage, res: ServerResponse, rec: AudioRerankRequest): Promise<Buffer | undefined> {
  const failAt = up.failAfterBytes;
  up.failAfterBytes = undefined;
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => {
      chunks.push(c);
      rec.size += c.length;
      up.events.emit("data", rec, c);
      if (failAt !== undefined && rec.size >= failAt && !res.headersSent) {
        json(res, 503, { error: { message: "mock failure mid-upload", type: "server_error" } });
        resolve(undefined);
      }
    });
    req.once("end", () => {
      rec.complete = true;
      resolve(Buffer.concat(chunks));
    });
    req.once("close", () => {
      if (rec.complete) return;
      rec.aborted = true;
      up.events.emit("aborted", rec);
      resolve(undefined);
    });
  });
}

async function parseForm(req: IncomingMessage, body: Buffer): Promise<Pick<AudioRerankRequest, "fields" | "file">> {
  const form = await new Request("http://mock/", {
    method: "POST",
    headers: { "content-type": String(req.headers["content-type"]) },
    body,
  }).formData();
  const fields: Record<string, string> = {};
  let file: AudioRerankRequest["file"];
  for (const [k, v] of form.entries()) {
    if (typeof v === "string") fields[k] = v;
    else file = { name: v.name, type: v.type, bytes: Buffer.from(await v.arrayBuffer()) };
  }
  return file ? { fields, file } : { fields };
}

function transcript(res: ServerResponse, fields: Record<string, string>, task: string) {
  const text = task === "translate" ? "Hello from the router." : `Transcribed ${fields.model}.`;
  if (fields.stream === "true") {
    res.writeHead(200, { "content-type": "text/event-stream" });
    for (const w of text.split(" ")) res.write(`data: ${JSON.stringify({ type: "transcript.text.delta", delta: `${w} ` })}\n\n`);
    res.end(
      `data: ${JSON.stringify({ type: "transcript.text.done", text, usage: { type: "tokens", input_tokens: 7, output_tokens: 5, total_tokens: 12 } })}\n\n`,
    );
    return;
  }
  switch (fields.response_format ?? "json") {
    case "text":
      res.writeHead(200, { "content-type": "text/plain; charset=utf-8" });
      return void res.end(`${text}\n`);
    case "srt":
      res.writeHead(200, { "content-type": "application/x-subrip" });
      return void res.end(`1\n00:00:00,000 --> 00:00:02,500\n${text}\n\n`);
    case "vtt":
      res.writeHead(200, { "content-type": "text/vtt" });
      return void res.end(`WEBVTT\n\n00:00:00.000 --> 00:00:02.500\n${text}\n\n`);
    case "verbose_json":
      return json(res, 200, { task, language: "english", duration: MOCK_AUDIO_SECONDS, text, segments: [] });
    default:
      return json(res, 200, { text });
  }
}

function speech(res: ServerResponse, up: AudioRerankUpstream, body: Record<string, unknown>) {
  if (body.stream_format === "sse") {
    res.writeHead(200, { "content-type": "text/event-stream" });
    res.write(`data: ${JSON.stringify({ type: "speech.audio.delta", audio: up.speech.toString("base64") })}\n\n`);
    return void res.end(
      `data: ${JSON.stringify({ type: "speech.audio.done", usage: { input_tokens: 3, output_tokens: 9, total_tokens: 12 } })}\n\n`,
    );
  }
  const type = body.response_format === "wav" ? "audio/wav" : body.response_format === "opus" ? "audio/ogg" : "audio/mpeg";
  res.writeHead(200, { "content-type": type });
  const step = Math.ceil(up.speech.length / up.speechChunks);
  let at = 0;
  const next = () => {
    if (at >= up.speech.length) return void res.end();
    const piece = up.speech.subarray(at, at + step);
    at += step;
    if (res.write(piece)) setImmediate(next);
    else res.once("drain", next);
  };
  next();
}

function completion(res: ServerResponse, body: Record<string, unknown>, fim: boolean) {
  const prompt = String(body.prompt);
  const text =
    body.suffix !== undefined && body.suffix !== null ? `/* between ${prompt.length} and ${String(body.suffix).length} */` : " world";
  const usage = { prompt_tokens: 5, completion_tokens: 3, total_tokens: 8 };
  const id = "cmpl-mock";
  if (body.stream === true) {
    res.writeHead(200, { "content-type": "text/event-stream" });
    for (const piece of [text.slice(0, 4), text.slice(4)]) {
      const chunk = fim
        ? {
            id,
            object: "chat.completion.chunk",
            model: body.model,
            choices: [{ index: 0, delta: { content: piece }, finish_reason: null }],
          }
        : { id, object: "text_completion", model: body.model, choices: [{ index: 0, text: piece, finish_reason: null, logprobs: null }] };
      res.write(`data: ${JSON.stringify(chunk)}\n\n`);
    }
    const wantsUsage = fim || (body.stream_options as { include_usage?: boolean } | undefined)?.include_usage === true;
    if (wantsUsage)
      res.write(
        `data: ${JSON.stringify({ id, object: fim ? "chat.completion.chunk" : "text_completion", model: body.model, choices: [], usage })}\n\n`,
      );
    return void res.end("data: [DONE]\n\n");
  }
  if (fim) {
    return json(res, 200, {
      id,
      object: "chat.completion",
      created: 1,
      model: body.model,
      choices: [{ index: 0, message: { role: "assistant", content: text }, finish_reason: "stop" }],
      usage,
    });
  }
  json(res, 200, {
    id,
    object: "text_completion",
    created: 1,
    model: body.model,
    choices: [{ index: 0, text, logprobs: null, finish_reason: "stop" }],
    usage,
  });
}

function rerank(res: ServerResponse, path: string, body: Record<string, unknown>) {
  const docs = (body.documents as unknown[]).map((d) => (typeof d === "string" ? d : (d as { text: string }).text));
  const ranked = docs
    .map((d, index) => ({ index, relevance_score: score(String(body.query), d) }))
    .sort((a, b) => b.relevance_score - a.relevance_score);
  if (path === "/v2/rerank") {
    const top = ranked.slice(0, (body.top_n as number | undefined) ?? ranked.length);
    return json(res, 200, { id: "rr-cohere", results: top, meta: { api_version: { version: "2" }, billed_units: { search_units: 1 } } });
  }
  if (body.top_k !== undefined || body.truncation !== undefined) {
    const top = ranked.slice(0, (body.top_k as number | undefined) ?? ranked.length);
    return json(res, 200, { object: "list", data: top, model: body.model, usage: { total_tokens: 42 } });
  }
  const top = ranked.slice(0, (body.top_n as number | undefined) ?? ranked.length);
  const results = top.map((r) => (body.return_documents ? Object.assign({}, r, { document: { text: docs[r.index] } }) : r));
  json(res, 200, { model: body.model, usage: { total_tokens: 21 }, results });
}

/** DashScope's text rerank service (the Qwen preset's rerank), from the origin. */
export const DASHSCOPE_RERANK = "/api/v1/services/rerank/text-rerank/text-rerank";

/** DashScope's shape: `input: {query, documents}`, `parameters: {top_n, return_documents}`, `output.results`. */
function dashscopeRerank(res: ServerResponse, body: Record<string, unknown>) {
  const input = body.input as { query?: unknown; documents?: unknown } | undefined;
  const params = (body.parameters ?? {}) as { top_n?: number; return_documents?: boolean };
  if (typeof input?.query !== "string" || !Array.isArray(input.documents))
    return json(res, 400, { code: "InvalidParameter", message: "input.query and input.documents are required", request_id: "rq-bad" });
  const docs = input.documents.map(String);
  const ranked = docs
    .map((d, index) => ({
      index,
      relevance_score: score(input.query as string, d),
      ...(params.return_documents ? { document: { text: d } } : {}),
    }))
    .sort((a, b) => b.relevance_score - a.relevance_score)
    .slice(0, params.top_n ?? docs.length);
  json(res, 200, { output: { results: ranked }, usage: { total_tokens: 33 }, request_id: "rq-dashscope" });
}

export async function startAudioRerankUpstream(): Promise<AudioRerankUpstream> {
  const up = {
    requests: [] as AudioRerankRequest[],
    speech: Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7) & 0xff)),
    speechChunks: 4,
    failWith: undefined as number | undefined,
    failAfterBytes: undefined as number | undefined,
    holdSpeech: undefined as Promise<void> | undefined,
    events: new EventEmitter(),
  } as AudioRerankUpstream;
  const server: Server = createServer((req, res) => {
    void (async () => {
      const path = (req.url ?? "/").split("?")[0] as string;
      const rec: AudioRerankRequest = { path, headers: req.headers, size: 0, complete: false, aborted: false };
      up.requests.push(rec);
      const body = await readAll(up, req, res, rec);
      if (body === undefined) return;
      if (up.failWith !== undefined) return json(res, up.failWith, { error: { message: "mock failure", type: "server_error" } });
      if (path.startsWith("/v1/audio/transcriptions") || path.startsWith("/v1/audio/translations")) {
        Object.assign(rec, await parseForm(req, body));
        if (!rec.file) return json(res, 400, { error: { message: "file missing", type: "invalid_request_error", param: "file" } });
        return transcript(res, rec.fields ?? {}, path.endsWith("translations") ? "translate" : "transcribe");
      }
      rec.json = JSON.parse(body.toString("utf8") || "{}") as Record<string, unknown>;
      if (path === "/v1/audio/speech")
        return up.holdSpeech ? up.holdSpeech.then(() => speech(res, up, rec.json ?? {})) : speech(res, up, rec.json);
      if (path === "/v1/completions" || path === "/beta/completions") return completion(res, rec.json, false);
      if (path === DASHSCOPE_RERANK) return dashscopeRerank(res, rec.json);
      if (path === "/v1/fim/completions") return completion(res, rec.json, true);
      if (path === "/v1/rerank" || path === "/v2/rerank") return rerank(res, path, rec.json);
      if (path === "/v1/moderations") {
        const inputs = Array.isArray(rec.json.input) ? rec.json.input : [rec.json.input];
        return json(res, 200, {
          id: "modr-mock",
          model: rec.json.model,
          results: inputs.map((i) => ({
            flagged: JSON.stringify(i).includes("kill"),
            categories: { violence: JSON.stringify(i).includes("kill") },
            category_scores: { violence: JSON.stringify(i).includes("kill") ? 0.97 : 0.01 },
          })),
        });
      }
      json(res, 404, { error: { message: `no route ${path}`, type: "invalid_request_error" } });
    })().catch((err: unknown) => json(res, 500, { error: { message: String(err), type: "server_error" } }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  up.url = `http://127.0.0.1:${port}`;
  up.baseUrl = `${up.url}/v1`;
  up.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return up;
}
