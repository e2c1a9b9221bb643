import type { RequestRecord } from "./request-record.js";

/**
 * Where finished requests' records go (the ledger publisher, the `usage_log` file, metrics): each
 * reads the record it is given (never keeps a copy of its fields). `write` runs on the request path: it
 * must only queue (never block, never throw), and never change the record.
 */
export interface UsageSink {
  write(r: RequestRecord): void;
  /** Sends or writes what is queued (shutdown). */
  close?(): Promise<void>;
}

/** Several sinks as one; a failing sink never stops the others. */
export function fanOut(sinks: UsageSink[]): UsageSink | undefined {
  if (sinks.length === 0) return undefined;
  if (sinks.length === 1) return sinks[0];
  return {
    write(r) {
      for (const s of sinks) {
        try {
          s.write(r);
        } catch {
          // a sink's own problem; counted and logged by the sink
        }
      }
    },
    async close() {
      await Promise.all(sinks.map((s) => s.close?.()));
    },
  };
}
