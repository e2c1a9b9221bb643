import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLogger } from "@ai-router/logger";
import { afterAll, describe, expect, it } from "vitest";
import { TableStore } from "./routing/table-store.js";
import { ConfigReloader, loadStandaloneTable } from "./standalone.js";

const yaml = (model: string) =>
  `providers:\n  - { name: demo, type: mock }\nmodels:\n  - { name: ${model}, providers: [{ provider: demo }] }\n`;

describe("ConfigReloader", () => {
  const dir = mkdtempSync(join(tmpdir(), "hup-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("reloads on SIGHUP with the next revision, and keeps the last good table on a bad file", () => {
    const file = join(dir, "router.yaml");
    writeFileSync(file, yaml("first"));
    const logger = createLogger({ name: "t", level: "silent", sync: true });
    const store = new TableStore(logger);
    const reloader = new ConfigReloader(file, store, logger, loadStandaloneTable(file, store, logger, {}), {});
    // A long debounce: only the signal may reload within this test.
    reloader.start(60_000);
    try {
      expect(store.current?.revision).toBe(1);
      writeFileSync(file, yaml("second"));
      process.emit("SIGHUP", "SIGHUP");
      expect([...(store.current?.models.keys() ?? [])]).toEqual(["second"]);
      expect(store.current?.revision).toBe(2);
      writeFileSync(file, "providers: [");
      const r = reloader.reload("test");
      expect(r.ok).toBe(false);
      expect([...(store.current?.models.keys() ?? [])]).toEqual(["second"]);
      expect(reloader.config.models[0]?.name).toBe("second");
    } finally {
      reloader.stop();
    }
    expect(process.listenerCount("SIGHUP")).toBe(0);
  });
});
