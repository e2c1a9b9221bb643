import { describe, expect, it } from "vitest";
import { WorkerMetrics } from "./worker-metrics.js";

const samples = (text: string) => text.split("\n").filter((l) => l !== "" && !l.startsWith("#"));

describe("health worker metric names", () => {
  it("every series has the ai_router_ prefix, runtime series included; legacy names only behind the flag", async () => {
    const m = new WorkerMetrics();
    m.ledgerRows.inc(3);
    const text = await m.metrics();
    expect(samples(text).filter((l) => !l.startsWith("ai_router_"))).toEqual([]);
    expect(text).toContain("ai_router_ledger_rows_written_total 3");
    expect(text).toContain("ai_router_process_resident_memory_bytes");
    const legacy = new WorkerMetrics({ legacyNames: true, runtime: false });
    legacy.ledgerRows.inc(2);
    expect(samples(await legacy.metrics())).toContain("ledger_rows_written_total 2");
  });
});
