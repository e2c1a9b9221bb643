import { randomBytes } from "node:crypto";
import { createSigner } from "@ai-router/contracts";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { natsConnectOptions } from "./connect.js";
import { publishSigned, subscribeSignedSignal, subscribeValid } from "./subscribe.js";

const NATS_URL = process.env.TEST_NATS_URL ?? "nats://127.0.0.1:4222";
const signer = createSigner(randomBytes(32));
let nc: NatsConnection;
beforeAll(async () => {
  nc = await connect({ servers: NATS_URL });
});
afterAll(async () => {
  await nc?.close();
});

const settle = async () => {
  await nc.flush();
  await new Promise((r) => setTimeout(r, 100));
};

describe("subscribeValid", () => {
  it("hands on valid signed messages and reports (never throws) forgeries, garbage and schema failures", async () => {
    const subject = `ai-router.test.${randomBytes(4).toString("hex")}`;
    const got: { n: number }[] = [];
    const bad: string[] = [];
    const sub = subscribeValid(
      nc,
      signer,
      subject,
      z.object({ n: z.number() }).strict(),
      (v) => got.push(v),
      (why) => bad.push(why),
    );
    publishSigned(nc, signer, subject, { n: 1 });
    nc.publish(subject, signer.sign("{not json", subject));
    publishSigned(nc, signer, subject, { n: "two" });
    nc.publish(subject, JSON.stringify({ n: 100 })); // unsigned
    publishSigned(nc, createSigner(randomBytes(32)), subject, { n: 200 }); // another master key
    nc.publish(subject, signer.sign(JSON.stringify({ n: 300 }), "ai-router.other.subject")); // signed for another subject
    publishSigned(nc, signer, subject, { n: 3 });
    await settle();
    sub.unsubscribe();
    expect(got).toEqual([{ n: 1 }, { n: 3 }]);
    expect(bad).toEqual([
      "not valid JSON",
      expect.stringMatching(/^n: /),
      "unsigned message",
      "bad signature message",
      "bad signature message",
    ]);
  });

  it("subscribeSignedSignal fires only for signed commands", async () => {
    const subject = `ai-router.test.${randomBytes(4).toString("hex")}`;
    let fired = 0;
    const bad: string[] = [];
    const sub = subscribeSignedSignal(
      nc,
      signer,
      subject,
      () => fired++,
      (why) => bad.push(why),
    );
    nc.publish(subject); // what an unauthenticated writer can send
    publishSigned(nc, signer, subject, undefined);
    await settle();
    sub.unsubscribe();
    expect(fired).toBe(1);
    expect(bad).toEqual(["unsigned message"]);
  });
});

describe("natsConnectOptions", () => {
  it("takes credentials out of the URL and prefers NATS_USER / NATS_PASSWORD", () => {
    expect(natsConnectOptions("nats://router:p%40ss@nats:4222")).toEqual({ servers: ["nats://nats:4222"], user: "router", pass: "p@ss" });
    expect(natsConnectOptions("nats://a:b@n1:4222, nats://n2:4222", { user: "u", password: "p" })).toEqual({
      servers: ["nats://n1:4222", "nats://n2:4222"],
      user: "u",
      pass: "p",
    });
    expect(natsConnectOptions("127.0.0.1:4222")).toEqual({ servers: ["127.0.0.1:4222"] });
  });
});
