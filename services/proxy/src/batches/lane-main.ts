// The batch lane (standalone): a second proxy process, from the same router.yaml, that serves only the
// batch runner's signed lines, at the lowest CPU priority, so a batch never takes the live proxy's event
// loop or its core while live traffic needs them. Started and restarted by batch-lane.ts.
import { readdirSync } from "node:fs";
import { setPriority } from "node:os";
import { createLogger } from "@ai-router/logger";
import { ProxyEnv } from "../env.js";
import { TableStore } from "../routing/table-store.js";
import { createProxy } from "../server.js";
import { ConfigReloader, loadStandaloneTable } from "../standalone.js";
import { BATCH_HEADER, BatchAuth } from "./batch-auth.js";
import { recordMessage, ToLane } from "./lane-messages.js";

/** Every thread of this process at nice 19 (Linux keeps a nice value per thread; threads made later inherit it). */
function lowestPriority(): void {
  try {
    for (const tid of readdirSync("/proc/self/task")) setPriority(Number(tid), 19);
  } catch {
    try {
      setPriority(19);
    } catch {
      // not allowed here: the lane runs at normal priority
    }
  }
}

lowestPriority();
const send = (m: unknown) => process.send?.(m);
if (!process.send) {
  process.stderr.write("the batch lane is started by the proxy (ROUTER_BATCH_LANE), not on its own\n");
  process.exit(2);
}
// The proxy gone, the lane goes too.
process.on("disconnect", () => process.exit(0));

const env = ProxyEnv.parse(process.env);
const logger = createLogger({ name: "proxy-batch-lane", level: env.LOG_LEVEL });
const hello = await new Promise<Extract<ToLane, { t: "hello" }>>((resolve) => {
  const first = (m: unknown) => {
    const msg = ToLane.safeParse(m);
    if (msg.success && msg.data.t === "hello") {
      process.off("message", first);
      resolve(msg.data);
    }
  };
  process.on("message", first);
});

const store = new TableStore(logger, { poolWaitMs: env.ROUTER_POOL_WAIT_MS });
const cfg = loadStandaloneTable(env.ROUTER_CONFIG, store, logger);
const reloader = new ConfigReloader(env.ROUTER_CONFIG, store, logger, cfg);
const replica = `${env.ROUTER_REPLICA ?? "standalone"}-batch-lane`;
const proxy = createProxy({
  store,
  logger,
  replica,
  batchAuth: new BatchAuth(Buffer.from(hello.secret, "hex")),
  // Records go to the proxy, which writes them where its own go (usage_log, metrics, stats, budgets).
  usageSink: { write: (r) => send(recordMessage(r)) },
  // Batch lines only: anything else is not for this port.
  intercept: (req, res) => {
    if (req.headers[BATCH_HEADER] !== undefined || req.url === "/health") return false;
    res.writeHead(404, { "content-type": "application/json" });
    res.end('{"error":{"message":"This port serves batch lines only.","type":"invalid_request_error","code":"not_found"}}');
    return true;
  },
});
// The spend of budgeted keys apart from this lane's own: a budget holds across live traffic and batches.
process.on("message", (m) => {
  const msg = ToLane.safeParse(m);
  if (msg.success && msg.data.t === "spend") proxy.usage.keyLimits.applySpend({ at: msg.data.at, keys: msg.data.keys }, replica);
});
reloader.start();
proxy.server.listen(0, "127.0.0.1", () => {
  const addr = proxy.server.address();
  if (typeof addr === "object" && addr) send({ t: "ready", port: addr.port });
});
process.on("SIGTERM", () => {
  reloader.stop();
  void proxy.shutdown(5_000).finally(() => process.exit(0));
});
