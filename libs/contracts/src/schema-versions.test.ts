import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { checkRoutingTable, ROUTING_TABLE_READS, ROUTING_TABLE_SCHEMA_VERSION, RoutingTableWrite } from "./routing-table.js";
import { USAGE_RECORD_READS, USAGE_RECORD_SCHEMA_VERSION, UsageBatch, UsageRecord } from "./usage.js";

/**
 * Published data stays readable one version up and down: a table or usage record of the next release
 * (a newer schemaVersion within the tolerated range, fields this build does not know) and of the
 * previous one (newer optional fields missing), from fixtures written as those releases would.
 */
const fixture = (name: string) =>
  JSON.parse(readFileSync(new URL(`../fixtures/versions/${name}`, import.meta.url), "utf8")) as Record<string, any>;

describe("routing table versions", () => {
  it("reads one version back and one ahead of its own", () => {
    expect(ROUTING_TABLE_READS.min).toBe(Math.max(1, ROUTING_TABLE_SCHEMA_VERSION - 1));
    expect(ROUTING_TABLE_READS.max).toBe(ROUTING_TABLE_SCHEMA_VERSION + 1);
  });

  it("reads the next release's table: newer schemaVersion, unknown fields at every level ignored", () => {
    const next = fixture("routing-table.next.json");
    expect(next.schemaVersion).toBe(ROUTING_TABLE_SCHEMA_VERSION + 1);
    const r = checkRoutingTable(next);
    expect(r.ok, JSON.stringify(r)).toBe(true);
    if (!r.ok) return;
    expect(r.table.revision).toBe(42);
    expect(r.table.lineage).toBe("fixture-lineage-1");
    expect(r.table.models[0]?.targets.map((t) => t.provider)).toEqual(["oai", "demo"]);
    expect(r.table.clientKeys[0]?.rpmLimit).toBe(60);
    expect(JSON.stringify(r.table)).not.toMatch(/hedgeAfterMs|http2|region|aliases|batch_per_mtok|"group"|rotatedAt|cacheTtlS/);
  });

  it("reads the previous release's table, missing the optional fields added since", () => {
    const prev = fixture("routing-table.previous.json");
    const r = checkRoutingTable(prev);
    expect(r.ok, JSON.stringify(r)).toBe(true);
    if (!r.ok) return;
    expect(r.table.authRequired).toBeUndefined();
    expect(r.table.models[0]?.capabilities).toBeUndefined();
    expect(RoutingTableWrite.safeParse(prev).success).toBe(true);
  });

  it("refuses versions two apart, and writes only its own version", () => {
    const next = fixture("routing-table.next.json");
    for (const v of [ROUTING_TABLE_READS.max + 1, ROUTING_TABLE_READS.min - 1, "1", 1.5]) {
      expect(checkRoutingTable({ ...next, schemaVersion: v })).toMatchObject({
        ok: false,
        reason: expect.stringMatching(/unsupported schemaVersion/),
      });
    }
    const prev = fixture("routing-table.previous.json");
    expect(RoutingTableWrite.safeParse({ ...prev, schemaVersion: ROUTING_TABLE_SCHEMA_VERSION + 1 }).success).toBe(false);
  });
});

describe("usage record versions", () => {
  it("reads the next release's record: schema_version within range, unknown fields (also in attempts) dropped", () => {
    const next = fixture("usage-record.next.json");
    expect(next.schema_version).toBe(USAGE_RECORD_SCHEMA_VERSION + 1);
    const r = UsageRecord.safeParse(next);
    expect(r.success, JSON.stringify(r.error?.issues)).toBe(true);
    expect(r.data?.prompt_tokens).toBe(120);
    expect(JSON.stringify(r.data)).not.toMatch(/region|cache_write_tokens|"ttft_ms":400/);
    expect(UsageBatch.safeParse({ replica: "proxy-a", records: [next], compression: "none" }).success).toBe(true);
  });

  it("reads the previous release's record, defaulting what it lacks", () => {
    const prev = fixture("usage-record.previous.json");
    expect(prev.queued_ms).toBeUndefined();
    const r = UsageRecord.parse(prev);
    expect(r.queued_ms).toBe(0);
    expect(r.seq).toBeUndefined();
    expect(r.schema_version).toBeUndefined();
  });

  it("refuses a record two versions ahead", () => {
    const next = fixture("usage-record.next.json");
    expect(UsageRecord.safeParse({ ...next, schema_version: USAGE_RECORD_READS.max + 1 }).success).toBe(false);
  });
});
