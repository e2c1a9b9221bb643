import { randomBytes } from "node:crypto";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { subscribeValid } from "./subscribe.js";

const NATS_URL = process.env.TEST_NATS_URL ?? "nats://127.0.0.1:4222";
let nc: NatsConnection;
beforeAll(async () => {
  nc = await connect({ servers: NATS_URL });
});
afterAll(async () => {
  await nc?.close();
});

describe("subscribeValid", () => {
  it("hands on valid messages and reports (never throws) garbage and schema failures", async () => {
    const subject = `ai-router.test.${randomBytes(4).toString("hex")}`;
    const got: { n: number }[] = [];
    const bad: string[] = [];
    const sub = subscribeValid(
      nc,
      subject,
      z.object({ n: z.number() }).strict(),
      (v) => got.push(v),
      (why) => bad.push(why),
    );
    nc.publish(subject, JSON.stringify({ n: 1 }));
    nc.publish(subject, "{not json");
    nc.publish(subject, JSON.stringify({ n: "two" }));
    nc.publish(subject, JSON.stringify({ n: 3 }));
    await nc.flush();
    await new Promise((r) => setTimeout(r, 100));
    sub.unsubscribe();
    expect(got).toEqual([{ n: 1 }, { n: 3 }]);
    expect(bad).toEqual(["not valid JSON", expect.stringMatching(/^n: /)]);
  });
});
