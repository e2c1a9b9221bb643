// The `websocket` scenario (Responses WebSocket mode): (1) what 1,000 idle sockets add to the router's
// RSS (target < 50 MB), and (2) the router's CPU per turn over a socket against the same turn as a
// streaming HTTP POST /v1/responses (target: ratio <= 1). Both against the mock upstream (a chat-only
// upstream: each turn is translated), in interleaved rounds, the router alone on core 0.
// Alone: BENCH_ONLY=websocket node bench/run.mjs (BENCH_WS_SOCKETS, BENCH_WS_TURNS, BENCH_WS_ROUNDS).
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Agent, request } from "undici";
import WebSocket from "ws";
import { median, startProcess, stopProcess, tmp } from "./processes.mjs";

/** The process's CPU time in ms with ns precision: every thread's schedstat (the stat file counts 10 ms ticks). */
function cpuMs(pid) {
  let ns = 0;
  for (const t of readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${t}/schedstat`, "utf8").split(" ")[0]);
    } catch {
      // a thread that ended meanwhile
    }
  }
  return ns / 1e6;
}

const root = fileURLToPath(new URL("..", import.meta.url));
const SOCKETS = Number(process.env.BENCH_WS_SOCKETS ?? 1000);
const TURNS = Number(process.env.BENCH_WS_TURNS ?? 2000);
const ROUNDS = Number(process.env.BENCH_WS_ROUNDS ?? 3);
/** Turns in flight at once (sockets, or HTTP connections). */
const PARALLEL = 8;

const turnBody = { model: "gpt-4o", input: "Hello, how are you today? Tell me something nice.", max_output_tokens: 64, store: false };
const rssMb = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))[1]) / 1024;

function open(url) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${url.replace(/^http/, "ws")}/v1/responses`, { perMessageDeflate: false });
    ws.once("open", () => resolve(ws));
    ws.once("error", reject);
  });
}

/** One turn on `ws`: resolves at its terminal event. */
function wsTurn(ws) {
  return new Promise((resolve, reject) => {
    const on = (data) => {
      const s = data.toString();
      if (s.startsWith('{"type":"response.completed"') || s.startsWith('{"type":"error"') || s.startsWith('{"type":"response.failed"')) {
        ws.off("message", on);
        if (s.startsWith('{"type":"response.completed"')) resolve();
        else reject(new Error(s.slice(0, 300)));
      }
    };
    ws.on("message", on);
    ws.send(JSON.stringify({ type: "response.create", ...turnBody }));
  });
}

async function httpTurn(url, dispatcher) {
  const r = await request(`${url}/v1/responses`, {
    method: "POST",
    dispatcher,
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ ...turnBody, stream: true }),
  });
  await r.body.text();
  if (r.statusCode !== 200) throw new Error(`status ${r.statusCode}`);
}

/** `n` turns, PARALLEL at a time, each lane running `turn` in sequence; the router's CPU ms per turn. */
async function cpuPerTurn(pid, n, lanes) {
  const before = cpuMs(pid);
  let left = n;
  await Promise.all(
    lanes.map(async (turn) => {
      while (left-- > 0) await turn();
    }),
  );
  return (cpuMs(pid) - before) / n;
}

/** Runs the WebSocket scenario with the router build at `proxyMain`; returns the report's lines. */
export async function websocketScenario(proxyMain) {
  const mock = await startProcess("ws-mock", join(root, "libs/testing/dist/mock-upstream/cli.js"), {}, 1);
  const cfg = join(tmp, "router-ws.yaml");
  writeFileSync(
    cfg,
    `providers: [{ name: mock-upstream, type: openai-compatible, base_url: "http://127.0.0.1:${mock.port}/v1", api_key: sk-bench }]\nmodels: [{ name: gpt-4o, providers: [{ provider: mock-upstream }] }]\n`,
  );
  const router = await startProcess(
    "ws-router",
    proxyMain,
    { ROUTER_CONFIG: cfg, PORT: "0", HOST: "127.0.0.1", ROUTER_WS_MAX_SOCKETS_PER_KEY: String(SOCKETS + PARALLEL + 10) },
    0,
  );
  const url = `http://127.0.0.1:${router.port}`;
  const pid = router.child.pid;

  // (1) idle sockets, on the fresh router: RSS before and after opening them (garbage collection is not
  // forced: RSS is what the operator's memory limit sees).
  await new Promise((r) => setTimeout(r, 500));
  const rss0 = rssMb(pid);
  const idle = [];
  for (let i = 0; i < SOCKETS; i += 100)
    idle.push(...(await Promise.all(Array.from({ length: Math.min(100, SOCKETS - i) }, () => open(url)))));
  await new Promise((r) => setTimeout(r, 1000));
  const rss1 = rssMb(pid);
  for (const s of idle) s.terminate();
  // (2) then CPU per turn: both paths warmed, then interleaved rounds.
  const sockets = await Promise.all(Array.from({ length: PARALLEL }, () => open(url)));
  const agent = new Agent({ connections: PARALLEL, pipelining: 1 });
  const wsLanes = sockets.map((ws) => () => wsTurn(ws));
  const httpLanes = sockets.map(() => () => httpTurn(url, agent));
  await cpuPerTurn(pid, Math.min(TURNS, 1000), wsLanes);
  await cpuPerTurn(pid, Math.min(TURNS, 1000), httpLanes);
  const ws = [];
  const http = [];
  for (let r = 0; r < ROUNDS; r++) {
    process.stderr.write(`websocket: round ${r + 1}/${ROUNDS} ...\n`);
    if (r % 2) {
      http.push(await cpuPerTurn(pid, TURNS, httpLanes));
      ws.push(await cpuPerTurn(pid, TURNS, wsLanes));
    } else {
      ws.push(await cpuPerTurn(pid, TURNS, wsLanes));
      http.push(await cpuPerTurn(pid, TURNS, httpLanes));
    }
  }
  for (const s of sockets) s.close();
  await agent.close();

  await stopProcess(router);
  await stopProcess(mock);

  const wsCpu = median(ws);
  const httpCpu = median(http);
  const added = rss1 - rss0;
  return [
    `websocket: ${SOCKETS} idle Responses sockets; ${ROUNDS} interleaved rounds of ${TURNS} turns (${PARALLEL} in parallel) over sockets and as streaming HTTP POST /v1/responses, translated for a chat-only mock upstream`,
    "",
    "| measure | value | target |",
    "|---|---:|---|",
    `| RSS added by ${SOCKETS} idle sockets | ${added.toFixed(1)} MB (${((added * 1024) / SOCKETS).toFixed(1)} KB each) | < 50 MB |`,
    `| router CPU per turn, WebSocket | ${(wsCpu * 1000).toFixed(0)} us | |`,
    `| router CPU per turn, HTTP (SSE) | ${(httpCpu * 1000).toFixed(0)} us | |`,
    `| WebSocket / HTTP | ${(wsCpu / httpCpu).toFixed(2)} | <= 1.00 |`,
  ];
}
