import { randomBytes } from "node:crypto";
import { type HealthProbeJob, healthQueue } from "@ai-router/contracts";
import { Queue } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { reconcileSchedulers } from "./scheduler.js";

const REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
const bucket = `hw_sched_${randomBytes(4).toString("hex")}`;
let queue: Queue<HealthProbeJob>;

beforeAll(() => {
  queue = new Queue<HealthProbeJob>(healthQueue.name, { connection: { url: REDIS_URL }, prefix: healthQueue.prefix(bucket) });
});
afterAll(async () => {
  await queue.obliterate({ force: true }).catch(() => {});
  await queue.close();
});

const schedulers = async () =>
  (await queue.getJobSchedulers(0, -1))
    .map((s) => ({ id: s.id ?? s.key, every: Number(s.every), data: s.template?.data }))
    .sort((a, b) => (a.id < b.id ? -1 : 1));

describe("reconcileSchedulers (real Redis)", () => {
  it("adds one scheduler per provider, with the provider as the job's only data", async () => {
    expect(await reconcileSchedulers(queue, ["a", "b"], 30_000)).toEqual({ added: ["a", "b"], removed: [] });
    expect(await schedulers()).toEqual([
      { id: "probe:a", every: 30_000, data: { provider: "a" } },
      { id: "probe:b", every: 30_000, data: { provider: "b" } },
    ]);
  });

  it("is idempotent: another replica reconciling the same table changes nothing", async () => {
    expect(await reconcileSchedulers(queue, ["b", "a"], 30_000)).toEqual({ added: [], removed: [] });
  });

  it("removes providers that left the table and re-schedules on an interval change", async () => {
    expect(await reconcileSchedulers(queue, ["b", "c"], 10_000)).toEqual({ added: ["b", "c"], removed: ["a"] });
    expect((await schedulers()).map((s) => `${s.id}@${s.every}`)).toEqual(["probe:b@10000", "probe:c@10000"]);
    expect(await reconcileSchedulers(queue, [], 10_000)).toEqual({ added: [], removed: ["b", "c"] });
    expect(await schedulers()).toEqual([]);
  });
});
