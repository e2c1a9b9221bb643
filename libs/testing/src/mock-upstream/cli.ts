/** Runs the mock upstream as a process: `node dist/mock-upstream/cli.js [port]` (benchmarks, demos). */
import { startMockUpstream } from "./server.js";

const port = Number(process.argv[2] ?? process.env.PORT ?? 0);
const mock = await startMockUpstream({ port, record: false });
process.stdout.write(`${JSON.stringify({ port: mock.port })}\n`);
process.on("SIGTERM", () => void mock.close().then(() => process.exit(0)));
