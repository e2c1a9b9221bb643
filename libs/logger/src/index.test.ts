import { closeSync, mkdtempSync, openSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger, LineWriter, maskSecret } from "./index.js";

describe("logger", () => {
  it("redacts credentials wherever they sit", () => {
    let out = "";
    const sink = new Writable({
      write(chunk, _enc, cb) {
        out += chunk;
        cb();
      },
    });
    const log = createLogger({ name: "t", destination: sink });
    log.info(
      {
        headers: { authorization: "Bearer sk-live-1", "x-api-key": "sk-live-2" },
        provider: { api_key: "sk-live-3", apiKeys: ["sk-live-4"] },
      },
      "x",
    );
    expect(out).toContain("[redacted]");
    expect(out).not.toMatch(/sk-live-\d/);
  });

  it("masks secrets to a recognisable stub", () => {
    expect(maskSecret("sk-proj-abcdefghijklmnop")).toBe("sk-...mnop");
    expect(maskSecret("short")).toBe("****");
  });
});

describe("LineWriter", () => {
  it("writes every line, in order, in batches and on flushSync", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "lw-")), "out.log");
    const fd = openSync(file, "w");
    const w = new LineWriter(fd, 1024, 10_000);
    for (let i = 0; i < 5000; i++) w.write(`line ${i}\n`);
    await new Promise((r) => setTimeout(r, 100));
    w.write("last\n");
    w.flushSync();
    await new Promise((r) => setTimeout(r, 50));
    closeSync(fd);
    const lines = readFileSync(file, "utf8").trimEnd().split("\n");
    expect(lines.length).toBe(5001);
    expect(lines[0]).toBe("line 0");
    expect(lines[4999]).toBe("line 4999");
    expect(lines[5000]).toBe("last");
  });

  it("flushes a quiet buffer on its timer", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "lw-")), "out.log");
    const fd = openSync(file, "w");
    const w = new LineWriter(fd, 1 << 20, 20);
    w.write("only line\n");
    await new Promise((r) => setTimeout(r, 120));
    expect(readFileSync(file, "utf8")).toBe("only line\n");
    closeSync(fd);
  });
});
