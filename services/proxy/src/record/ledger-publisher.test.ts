import { createLogger } from "@ai-router/logger";
import { waitFor } from "@ai-router/testing";
import { describe, expect, it } from "vitest";
import { finished } from "../../test/records.js";
import { LedgerPublisher } from "./ledger-publisher.js";
import type { RequestRecord } from "./request-record.js";

const logger = createLogger({ name: "test", level: "silent", sync: true });
const rec = (i: number): RequestRecord =>
  finished(
    {
      model: "m",
      provider: "p",
      upstreamModel: "m",
      answered: true,
      usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
      attempts: [{ provider: "p", upstreamModel: "m", outcome: "served", status: null, error: null, errorCode: null, durationMs: 1 }],
    },
    { seq: i, latencyMs: 2, ttfbMs: 1, requestBytes: 10, responseBytes: 20 },
    undefined,
    `r${i}`,
  );
const ids = (body: string) => (JSON.parse(body) as { records: { id: string }[] }).records.map((r) => r.id);

describe("LedgerPublisher", () => {
  it("publishes small batches in order, off the write call", async () => {
    const sent: string[][] = [];
    const p = new LedgerPublisher({ replica: "r", logger, batchSize: 3, lingerMs: 5 });
    p.setSender(async (body) => {
      sent.push(ids(body));
    });
    for (let i = 0; i < 7; i++) p.write(rec(i));
    expect(sent).toEqual([]); // nothing sent inside write()
    await waitFor(() => p.pending === 0);
    expect(sent).toEqual([["r0", "r1", "r2"], ["r3", "r4", "r5"], ["r6"]]);
    expect(p.published).toBe(7);
  });

  it("keeps records while the broker is down and retries the same batch with the same message id", async () => {
    const tries: { ids: string[]; msgId: string }[] = [];
    let up = false;
    const p = new LedgerPublisher({ replica: "r", logger, batchSize: 2, lingerMs: 1 });
    p.setSender(async (body, msgId) => {
      tries.push({ ids: ids(body), msgId });
      if (!up) throw new Error("nats down");
    });
    for (let i = 0; i < 3; i++) p.write(rec(i));
    await waitFor(() => tries.length >= 2, 3_000);
    expect(p.pending).toBe(3);
    // More records while down do not change the batch being retried.
    p.write(rec(3));
    up = true;
    await waitFor(() => p.pending === 0, 5_000);
    expect(tries[0]).toEqual(tries[1]);
    const delivered = tries.slice(-2).flatMap((t) => t.ids);
    expect(tries.at(-3)?.ids ?? tries[0]!.ids).toEqual(["r0", "r1"]);
    expect(delivered).toEqual(["r0", "r1", "r2", "r3"].slice(4 - delivered.length));
    expect(new Set(tries.map((t) => t.msgId)).size).toBe(2);
  });

  it("bounds the buffer: overflow is dropped and counted, write never throws or waits", async () => {
    let dropped = 0;
    const p = new LedgerPublisher({ replica: "r", logger, maxBuffer: 100, onDropped: () => dropped++ });
    for (let i = 0; i < 150; i++) p.write(rec(i));
    expect(p.pending).toBe(100);
    expect(p.dropped).toBe(50);
    expect(dropped).toBe(50);
    const sent: string[] = [];
    p.setSender(async (body) => {
      sent.push(...ids(body));
    });
    await waitFor(() => p.pending === 0);
    expect(sent).toEqual(Array.from({ length: 100 }, (_, i) => `r${i}`));
  });

  it("keeps every batch under the server's max payload: big records split batches, a record too big alone is cut, not retried forever", async () => {
    const maxPayload = 200_000;
    const bodies: string[] = [];
    let dropped = 0;
    const p = new LedgerPublisher({ replica: "r", logger, lingerMs: 1, onDropped: () => dropped++ });
    // A broker that refuses what NATS refuses: a message over its max payload (signature added by the sender).
    p.setSender(async (body) => {
      if (Buffer.byteLength(body) + 49 > maxPayload) throw new Error("MAX_PAYLOAD_EXCEEDED");
      bodies.push(body);
    }, maxPayload);
    for (let i = 0; i < 30; i++) p.write({ ...rec(i), model: "é".repeat(20_000) }); // 40 kB of UTF-8 each
    p.write({ ...rec(30), model: "m".repeat(1_200_000) }); // past the edge's bound (an older build's record)
    for (let i = 31; i < 40; i++) p.write(rec(i));
    await waitFor(() => p.pending === 0, 5_000);
    const sent = bodies.flatMap(ids);
    expect(sent).toEqual(Array.from({ length: 40 }, (_, i) => `r${i}`));
    expect(Math.max(...bodies.map((b) => Buffer.byteLength(b)))).toBeLessThanOrEqual(maxPayload - 4_096);
    expect(bodies.length).toBeGreaterThan(6);
    const big = bodies
      .map((b) => JSON.parse(b) as { records: UsageRecord[] })
      .flatMap((b) => b.records)
      .find((r) => r.id === "r30");
    expect(big?.model).toHaveLength(256);
    expect([p.shrunk, dropped]).toEqual([1, 0]);
  });

  it("a server whose limit went down since the connect: the refused batch is split again, the records all arrive", async () => {
    const bodies: string[] = [];
    const p = new LedgerPublisher({ replica: "r", logger, lingerMs: 1 });
    p.setSender(async (body) => {
      if (Buffer.byteLength(body) > 150_000) throw new Error("'payload' max_payload size exceeded");
      bodies.push(body);
    }, 1024 * 1024);
    for (let i = 0; i < 20; i++) p.write({ ...rec(i), model: "x".repeat(30_000) });
    await waitFor(() => p.pending === 0, 5_000);
    expect(bodies.flatMap(ids)).toEqual(Array.from({ length: 20 }, (_, i) => `r${i}`));
  });
});
