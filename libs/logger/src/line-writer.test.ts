import { closeSync, mkdtempSync, openSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { LineWriter, remainderAfter } from "./line-writer.js";

const tmpFile = () => join(mkdtempSync(join(tmpdir(), "lw-")), "out.log");
const settle = (ms = 50) => new Promise((r) => setTimeout(r, ms));

describe("LineWriter", () => {
  it("writes every line, in order, in batches and on flushSync", async () => {
    const file = tmpFile();
    const fd = openSync(file, "w");
    const w = new LineWriter(fd, 1024, 10_000);
    for (let i = 0; i < 5000; i++) w.write(`line ${i}\n`);
    await settle(100);
    w.write("last\n");
    w.flushSync();
    await settle();
    closeSync(fd);
    const lines = readFileSync(file, "utf8").trimEnd().split("\n");
    expect(lines.length).toBe(5001);
    expect(lines[0]).toBe("line 0");
    expect(lines[4999]).toBe("line 4999");
    expect(lines[5000]).toBe("last");
  });

  it("flushes a quiet buffer on its timer", async () => {
    const file = tmpFile();
    const fd = openSync(file, "w");
    const w = new LineWriter(fd, 1 << 20, 20);
    w.write("only line\n");
    await settle(120);
    expect(readFileSync(file, "utf8")).toBe("only line\n");
    closeSync(fd);
  });

  it("keeps multi-byte text and lines longer than its buffer intact", async () => {
    const file = tmpFile();
    const fd = openSync(file, "w");
    const w = new LineWriter(fd, 256, 10_000);
    const expected: string[] = [];
    for (let i = 0; i < 300; i++) {
      // Chinese (3 bytes a unit), emoji (surrogate pairs), and now and then a line of several buffers.
      const line = i % 50 === 7 ? `${"模型".repeat(400)} ${i}\n` : `{"msg":"请求 ${i} 完成 🚀","n":${i}}\n`;
      expected.push(line);
      w.write(line);
    }
    await settle(100);
    w.flushSync();
    closeSync(fd);
    expect(readFileSync(file, "utf8")).toBe(expected.join(""));
  });

  it("drops and counts lines past maxBuffered while the descriptor has not taken them", () => {
    const file = tmpFile();
    const fd = openSync(file, "w");
    const w = new LineWriter(fd, 1 << 20, 10_000, 100);
    for (let i = 0; i < 20; i++) w.write("0123456789\n");
    // 11 bytes a line: ten lines pass 100 bytes, the rest are dropped (nothing was written yet).
    expect(w.dropped).toBe(10);
    w.flushSync();
    closeSync(fd);
    expect(readFileSync(file, "utf8")).toBe("0123456789\n".repeat(10));
  });

  it("goes on after its descriptor fails, without throwing", async () => {
    const file = tmpFile();
    closeSync(openSync(file, "w"));
    // Read-only: every write fails (EBADF).
    const fd = openSync(file, "r");
    const w = new LineWriter(fd, 16, 5);
    for (let i = 0; i < 50; i++) w.write(`line ${i}\n`);
    await settle(50);
    expect(() => w.flushSync()).not.toThrow();
    w.write("after\n");
    expect(w.dropped).toBe(0);
    closeSync(fd);
    expect(readFileSync(file, "utf8")).toBe("");
  });
});

describe("remainderAfter", () => {
  it("is what a partial write left, across buffer boundaries", () => {
    const batch = [Buffer.from("abc"), Buffer.from("defg"), Buffer.from("hi")];
    expect(Buffer.concat(remainderAfter(batch, 0)).toString()).toBe("abcdefghi");
    expect(Buffer.concat(remainderAfter(batch, 2)).toString()).toBe("cdefghi");
    expect(Buffer.concat(remainderAfter(batch, 3)).toString()).toBe("defghi");
    expect(Buffer.concat(remainderAfter(batch, 8)).toString()).toBe("i");
    expect(remainderAfter(batch, 9)).toEqual([]);
  });
});
