import { compileConfig, parseConfig } from "@ai-router/config";
import { describe, expect, it } from "vitest";
import { parseTable } from "./table-watcher.js";

const table = (revision: number) =>
  compileConfig(
    parseConfig(
      JSON.stringify({ providers: [{ name: "l", type: "mock" }], models: [{ name: "m", providers: [{ provider: "l" }] }] }),
      "t",
      {},
    ),
    revision,
  ).table;

describe("parseTable (the same checks as the proxies)", () => {
  it("accepts a valid newer table", () => {
    const r = parseTable(JSON.stringify(table(3)), { revision: 2 });
    expect(r.ok && r.table.revision).toBe(3);
  });
  it("refuses garbage, unknown schema versions, invalid and older tables, and ignores the same revision quietly", () => {
    expect(parseTable("{nope")).toEqual({ ok: false, reason: "not valid JSON" });
    expect(parseTable(JSON.stringify(Object.assign(table(5), { schemaVersion: 99 })))).toMatchObject({
      reason: /unsupported schemaVersion 99/,
    });
    expect(parseTable(JSON.stringify(Object.assign(table(5), { models: [{ name: "x" }] })))).toMatchObject({
      reason: /invalid routing table: models\.0/,
    });
    expect(parseTable(JSON.stringify(table(1)), { revision: 2 })).toMatchObject({ reason: /older than the served revision 2/ });
    expect(parseTable(JSON.stringify(table(2)), { revision: 2 })).toEqual({ ok: false });
  });
});
