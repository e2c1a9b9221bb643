import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

// STYLE.md and issue 28: no source file over 300 lines. Tests, fixtures and generated files are not
// source in this sense (a test file grows with the cases it holds).
const root = fileURLToPath(new URL("..", import.meta.url));
const LIMIT = 300;
const SOURCE = /\.(ts|tsx|mts|js|mjs|css)$/;
const NOT_SOURCE = /(\.test\.tsx?$|\/test\/|\/fixtures?\/|\.d\.ts$|^openapi\/|\/dist\/|\/generated\/)/;

describe("file sizes", () => {
  it(`keeps every source file under ${LIMIT} lines`, () => {
    const files = execFileSync("git", ["ls-files", "apps", "libs", "services", "bench", "scripts", "prisma"], {
      cwd: root,
      encoding: "utf8",
    })
      .split("\n")
      .filter((f) => SOURCE.test(f) && !NOT_SOURCE.test(f));
    expect(files.length).toBeGreaterThan(100);
    const over = files
      .map((f) => ({ f, lines: readFileSync(`${root}/${f}`, "utf8").split("\n").length - 1 }))
      .filter((x) => x.lines > LIMIT)
      .map((x) => `${x.f}: ${x.lines}`);
    expect(over).toEqual([]);
  });
});
