import { openSync } from "node:fs";
import { LineWriter } from "@ai-router/logger";
import { UsageRecordJson } from "./record-json.js";
import type { RequestRecord } from "./request-record.js";
import type { UsageSink } from "./usage-sink.js";

/** Standalone `usage_log: <path>`: one JSON usage record per line, appended, written in batches. */
export function createJsonlSink(path: string): UsageSink & { flush(): void } {
  const out = new LineWriter(openSync(path, "a"));
  const json = new UsageRecordJson();
  return {
    write(r: RequestRecord) {
      out.write(`${json.of(r)}\n`);
    },
    flush() {
      out.flushSync();
    },
    async close() {
      out.flushSync();
    },
  };
}
