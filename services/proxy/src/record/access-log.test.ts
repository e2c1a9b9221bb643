import { closeSync, mkdtempSync, openSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { recordOf } from "../../test/records.js";
import { createAccessLog } from "./access-log.js";
import type { RequestRecord } from "./request-record.js";

const served = {
  provider: "openai-main",
  upstreamModel: "gpt-4o-2024-08-06",
  outcome: "served" as const,
  status: null,
  error: null,
  errorCode: null,
  durationMs: 12,
};

/** A finished record as the access log gets it (no ingress unless given). */
const record = (over: Partial<RequestRecord> = {}, costUsd: number | null = null): RequestRecord =>
  recordOf(
    Object.assign(
      {
        ingress: "",
        model: "gpt-4o",
        provider: "openai-main",
        upstreamModel: "gpt-4o-2024-08-06",
        status: 200,
        stream: true,
        attempts: [served],
        latencyMs: 12.345,
        usage: { prompt_tokens: 13, completion_tokens: 14, total_tokens: 27 },
        promptTokens: 13,
        completionTokens: 14,
        key: "team-a",
        costUsd,
      },
      over,
    ),
  );

/** The lines written; big batches go out asynchronously, so it waits for the writer to go idle first. */
async function linesOf(write: (log: ReturnType<typeof createAccessLog>) => void): Promise<Record<string, unknown>[]> {
  const file = join(mkdtempSync(join(tmpdir(), "access-log-")), "log");
  const fd = openSync(file, "w");
  const log = createAccessLog(fd);
  write(log);
  await new Promise((r) => setTimeout(r, 400));
  log.flush();
  closeSync(fd);
  return readFileSync(file, "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe("access log", () => {
  it("writes one pino-compatible JSON line per request with the request's fields", async () => {
    const [line] = await linesOf((log) => log.write(record({}, 0.00042)));
    expect(line).toEqual({
      level: 30,
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      service: "proxy",
      msg: "request",
      reqId: "req-1",
      endpoint: "chat.completions",
      model: "gpt-4o",
      provider: "openai-main",
      upstreamModel: "gpt-4o-2024-08-06",
      status: 200,
      stream: true,
      attempts: 1,
      ms: 12.3,
      promptTokens: 13,
      completionTokens: 14,
      costUsd: 0.00042,
      keyName: "team-a",
    });
    expect(Math.abs(Date.parse(line?.time as string) - Date.now())).toBeLessThan(5_000);
  });

  it("escapes names chosen by clients, on every line (cached or not), and writes nulls and errors", async () => {
    const odd = 'model "x"\nwith\\escapes\u2028';
    const lines = await linesOf((log) => {
      log.write(record({ model: odd, key: null }));
      log.write(
        record({
          model: odd,
          provider: null,
          upstreamModel: null,
          usage: undefined,
          promptTokens: 0,
          completionTokens: 0,
          status: 502,
          error: 'upstream said "no"',
        }),
      );
    });
    expect(lines.map((l) => l.model)).toEqual([odd, odd]);
    expect(lines[0]).toMatchObject({ keyName: null, costUsd: null });
    expect(lines[1]).toMatchObject({ provider: null, upstreamModel: null, promptTokens: null, status: 502, err: 'upstream said "no"' });
  });

  it("names the front-door format (ingress) when the record has one", async () => {
    const [line] = await linesOf((log) => log.write(record({ endpoint: "responses", ingress: "openai-responses" })));
    expect(line).toMatchObject({ endpoint: "responses", ingress: "openai-responses" });
  });

  it("keeps escaping correctly past the cache's bound", async () => {
    const names = Array.from({ length: 1_100 }, (_, i) => `m"${i}`);
    const lines = await linesOf((log) => {
      for (const m of names) log.write(record({ model: m }));
      log.write(record({ model: names[1_099] }));
    });
    expect(lines.map((l) => l.model)).toEqual([...names, names[1_099]]);
  });
});
