import { openSync } from "node:fs";
import type { UsageRecord } from "@ai-router/contracts";
import { LineWriter } from "@ai-router/logger";
import type { UsageSink } from "./usage-sink.js";

/** Standalone `usage_log: <path>`: one JSON usage record per line, appended, written in batches. */
export function createJsonlSink(path: string): UsageSink & { flush(): void } {
  const out = new LineWriter(openSync(path, "a"));
  return {
    write(r: UsageRecord) {
      out.write(`${JSON.stringify(r)}\n`);
    },
    flush() {
      out.flushSync();
    },
    async close() {
      out.flushSync();
    },
  };
}
