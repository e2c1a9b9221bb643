// The `audio` scenarios (issue 21), against an in-process audio upstream:
// - uploads: BENCH_AUDIO_UPLOADS (10) concurrent transcription uploads of BENCH_AUDIO_MB (25) MiB each;
//   the proxy's RSS before (idle) and its peak (VmHWM) during them; target: peak within 64 MB of idle.
// - speech: time to the first byte of a speech answer, direct and through the router, sequential
//   requests on one keep-alive connection each (3 rounds of BENCH_SPEECH_REQUESTS, 200), medians; target: < 1 ms added.
// Alone: BENCH_ONLY=audio node bench/run.mjs
import { readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { join } from "node:path";
import { Client } from "undici";
import { median, startProcess, stopProcess, tmp } from "./processes.mjs";

const MB = Number(process.env.BENCH_AUDIO_MB ?? 25);
const UPLOADS = Number(process.env.BENCH_AUDIO_UPLOADS ?? 10);
const SPEECH_REQUESTS = Number(process.env.BENCH_SPEECH_REQUESTS ?? 200);
const SPEECH = Buffer.alloc(64 * 1024, 7);
const FIRST = Number(process.env.BENCH_SPEECH_FIRST ?? 16384);

/** An upstream that drains uploads and answers `{text}`, and speaks 64 KiB of audio in four writes. */
function audioUpstream() {
  const server = createServer((req, res) => {
    if (req.url.endsWith("/audio/speech")) {
      req.resume();
      req.once("end", () => {
        res.writeHead(200, { "content-type": "audio/mpeg" });
        res.write(SPEECH.subarray(0, FIRST));
        setImmediate(() => res.end(SPEECH.subarray(FIRST)));
      });
      return;
    }
    let n = 0;
    req.on("data", (c) => {
      n += c.length;
    });
    req.once("end", () => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ text: `got ${n} bytes` }));
    });
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

const rssMb = (pid, field) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync(`/proc/${pid}/status`, "utf8"))[1]) / 1024;

/**
 * One multipart upload of `bytes` of audio (its model named before the file, so the router streams it on),
 * sent in 64 KiB writes; resolves with the status and the ms from its last byte sent to the answer.
 */
async function upload(url, bytes) {
  const boundary = "----bench-audio-boundary";
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="model"\r\n\r\nwhisper-1\r\n--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.wav"\r\nContent-Type: audio/wav\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const chunk = Buffer.alloc(64 * 1024, 1);
  let sentAll = 0;
  async function* body() {
    yield head;
    for (let sent = 0; sent < bytes; sent += chunk.length) yield chunk.subarray(0, Math.min(chunk.length, bytes - sent));
    yield tail;
    sentAll = performance.now();
  }
  const client = new Client(url);
  const r = await client.request({
    path: "/v1/audio/transcriptions",
    method: "POST",
    headers: { "content-type": `multipart/form-data; boundary=${boundary}`, "content-length": String(head.length + bytes + tail.length) },
    body: body(),
  });
  const answered = performance.now();
  await r.body.dump();
  await client.close();
  return { status: r.statusCode, afterLastByteMs: answered - sentAll };
}

/** Median ms to the first byte of a speech answer, `n` sequential requests on one connection. */
async function speechTtfb(url, n) {
  const client = new Client(url, { pipelining: 1 });
  const body = JSON.stringify({ model: "tts-1", voice: "alloy", input: "Hello from the benchmark." });
  const once = async () => {
    const t0 = process.hrtime.bigint();
    const r = await client.request({ path: "/v1/audio/speech", method: "POST", headers: { "content-type": "application/json" }, body });
    let first;
    for await (const c of r.body) {
      first ??= Number(process.hrtime.bigint() - t0) / 1e6;
      void c;
    }
    if (r.statusCode !== 200) throw new Error(`speech: status ${r.statusCode} from ${url}`);
    return first;
  };
  for (let i = 0; i < 50; i++) await once();
  const s = [];
  for (let i = 0; i < n; i++) s.push(await once());
  await client.close();
  return median(s);
}

/** Runs both audio scenarios with the router build at `proxyMain`; returns the report's lines. */
export async function audioScenario(proxyMain) {
  const up = await audioUpstream();
  const upUrl = `http://127.0.0.1:${up.address().port}`;
  const cfg = join(tmp, "router-audio.yaml");
  writeFileSync(
    cfg,
    `server: { max_audio_bytes: ${(MB + 1) * 1024 * 1024}, access_log: false }
providers: [{ name: up, type: openai-compatible, base_url: "${upUrl}/v1", api_key: sk-bench }]
models:
  - { name: whisper-1, llm_type: transcription, providers: [{ provider: up }] }
  - { name: tts-1, llm_type: speech, providers: [{ provider: up }] }
`,
  );
  const p = await startProcess("audio-ours", proxyMain, { ROUTER_CONFIG: cfg, PORT: "0", HOST: "127.0.0.1" }, 0);
  const url = `http://127.0.0.1:${p.port}`;
  // Speech first, at idle: the uploads' garbage would otherwise be collected during its measurement. The
  // router's speech path is compiled by a few hundred requests first (its start-up warm-up drives chat
  // only); then rounds of direct and routed in turn, the median of each.
  await speechTtfb(url, 500);
  const directs = [];
  const routeds = [];
  for (let r = 0; r < 3; r++) {
    directs.push(await speechTtfb(upUrl, SPEECH_REQUESTS));
    routeds.push(await speechTtfb(url, SPEECH_REQUESTS));
  }
  const direct = median(directs);
  const routed = median(routeds);
  const idle = rssMb(p.child.pid, "VmRSS");
  const t0 = performance.now();
  const uploads = await Promise.all(Array.from({ length: UPLOADS }, () => upload(url, MB * 1024 * 1024)));
  const statuses = uploads.map((u) => u.status);
  const uploadS = (performance.now() - t0) / 1000;
  const peak = rssMb(p.child.pid, "VmHWM");
  await stopProcess(p);
  up.close();
  const ok = statuses.filter((s) => s === 200).length;
  return [
    `audio uploads: ${UPLOADS} concurrent transcriptions of ${MB} MiB each, ${ok}/${UPLOADS} answered 200 in ${uploadS.toFixed(2)} s`,
    `proxy RSS idle ${idle.toFixed(1)} MB, peak ${peak.toFixed(1)} MB: +${(peak - idle).toFixed(1)} MB (target <= 64)`,
    `answer after an upload's last byte (streamed on as it arrives): median ${median(uploads.map((u) => u.afterLastByteMs)).toFixed(1)} ms`,
    `speech time to first byte (medians of 3 rounds of ${SPEECH_REQUESTS}): direct ${direct.toFixed(3)} ms, through the router ${routed.toFixed(3)} ms, added ${(routed - direct).toFixed(3)} ms (target < 1)`,
  ];
}
