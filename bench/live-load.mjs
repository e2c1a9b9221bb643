// Live traffic for the batch scenario: chat requests at a fixed rate over keep-alive connections (or as
// fast as they go, rate 0), each request's latency in microseconds (autocannon reports whole ms, too
// coarse for a p99 of a few ms).
import { Agent, request } from "node:http";

/** The q-quantile of ascending `sorted` (0 when empty). */
export const pct = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;

/** Runs for `seconds`; resolves { rps, p50, p99 } with latencies in ms (3 decimals). */
export async function liveLoad(url, body, { connections, seconds, rate = 0 }) {
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const u = new URL(`${url}/v1/chat/completions`);
  const lat = [];
  const end = performance.now() + seconds * 1000;
  const one = () =>
    new Promise((resolve) => {
      const t0 = performance.now();
      const req = request(
        {
          host: u.hostname,
          port: u.port,
          path: u.pathname,
          method: "POST",
          agent,
          headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
        },
        (res) => {
          res.resume();
          res.on("end", () => {
            if (res.statusCode === 200) lat.push(performance.now() - t0);
            resolve();
          });
        },
      );
      req.on("error", () => resolve());
      req.end(body);
    });
  const start = performance.now();
  if (rate > 0) {
    // Open loop: request i is sent at start + i/rate whatever the answers before it.
    const inflight = new Set();
    for (let i = 0; ; i++) {
      const at = start + (i * 1000) / rate;
      if (at >= end) break;
      const wait = at - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      const p = one().then(() => inflight.delete(p));
      inflight.add(p);
    }
    await Promise.all(inflight);
  } else {
    await Promise.all(
      Array.from({ length: connections }, async () => {
        while (performance.now() < end) await one();
      }),
    );
  }
  agent.destroy();
  const s = lat.sort((a, b) => a - b);
  const r3 = (x) => Math.round(x * 1000) / 1000;
  return { rps: Math.round(s.length / ((performance.now() - start) / 1000)), p50: r3(pct(s, 0.5)), p99: r3(pct(s, 0.99)), n: s.length };
}
