/**
 * Runs the mock upstream as a process: `node dist/mock-upstream/cli.js [port]` (benchmarks, demos).
 * TLS_KEY and TLS_CERT (PEM files) make it speak HTTPS; HTTP2=1 adds HTTP/2 (ALPN h2 over TLS).
 */
import { readFileSync } from "node:fs";
import { startMockUpstream } from "./server.js";

const port = Number(process.argv[2] ?? process.env.PORT ?? 0);
const tls =
  process.env.TLS_KEY && process.env.TLS_CERT
    ? { key: readFileSync(process.env.TLS_KEY), cert: readFileSync(process.env.TLS_CERT) }
    : undefined;
const mock = await startMockUpstream({ port, record: false, ...(tls ? { tls } : {}), http2: process.env.HTTP2 === "1" });
process.stdout.write(`${JSON.stringify({ port: mock.port })}\n`);
process.on("SIGTERM", () => void mock.close().then(() => process.exit(0)));
