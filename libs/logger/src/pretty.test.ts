import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { logFormat, prettyLine } from "./pretty.js";

describe("log format", () => {
  it("is readable on a terminal and JSON anywhere else, unless LOG_FORMAT says", () => {
    expect(logFormat({}, true)).toBe("pretty");
    expect(logFormat({}, false)).toBe("json");
    expect(logFormat({ LOG_FORMAT: "json" }, true)).toBe("json");
    expect(logFormat({ LOG_FORMAT: "PRETTY" }, false)).toBe("pretty");
    expect(logFormat({ LOG_FORMAT: "nonsense" }, false)).toBe("json");
  });

  it("turns a JSON line into time, level, service, message and key=value fields", () => {
    const line = prettyLine(
      '{"level":40,"time":"2026-01-02T03:04:05.678Z","service":"proxy","msg":"routing table rejected","reason":"bad table","revision":3,"extra":{"a":1}}\n',
      false,
    );
    expect(line).toBe('03:04:05.678 WARN  proxy  routing table rejected  reason="bad table" revision=3 extra={"a":1}\n');
    const colored = prettyLine('{"level":30,"time":1700000000000,"service":"cp","msg":"ok"}', true);
    expect(colored).toContain("\u001b[32mINFO ");
    expect(colored.endsWith("ok\n")).toBe(true);
    expect(prettyLine("not json\n", false)).toBe("not json\n");
  });
});

// A real process on a pseudo-terminal (util-linux `script`) versus a pipe.
describe.runIf(spawnSync("script", ["--version"]).status === 0)("a service's own log lines", () => {
  const dir = mkdtempSync(join(tmpdir(), "logfmt-"));
  const file = join(dir, "svc.mjs");
  writeFileSync(
    file,
    `const { createLogger, createLineWriter } = await import(${JSON.stringify(new URL("../dist/index.js", import.meta.url).pathname)});
const log = createLogger({ name: "svc", level: "info", sync: true });
log.info({ port: 8000 }, "listening");
const w = createLineWriter(1);
w.write('{"level":30,"time":"2026-01-02T03:04:05.678Z","service":"proxy","msg":"request","status":200}\\n');
w.flushSync();
`,
  );
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const env = Object.assign({}, process.env, { NO_COLOR: "1" });
  delete (env as Record<string, string | undefined>).LOG_FORMAT;

  it("are readable when stdout is a terminal", () => {
    const r = spawnSync("script", ["-qec", `${process.execPath} ${file}`, "/dev/null"], { encoding: "utf8", env });
    expect(r.stdout).toMatch(/\d\d:\d\d:\d\d\.\d{3} INFO {2}svc {2}listening {2}port=8000/);
    expect(r.stdout).toContain("03:04:05.678 INFO  proxy  request  status=200");
    expect(r.stdout).not.toContain('"msg"');
  });

  it("are JSON when stdout is a pipe", () => {
    const r = spawnSync(process.execPath, [file], { encoding: "utf8", env });
    const lines = r.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(2);
    expect(lines.find((l) => l.msg === "listening")).toMatchObject({ level: 30, port: 8000, service: "svc" });
    expect(lines.find((l) => l.msg === "request")).toMatchObject({ status: 200 });
  });
});
