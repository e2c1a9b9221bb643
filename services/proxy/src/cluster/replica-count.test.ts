import { randomBytes } from "node:crypto";
import { createSigner, natsSubjects } from "@ai-router/contracts";
import type { NatsConnection } from "@nats-io/transport-node";
import { describe, expect, it } from "vitest";
import { ReplicaCount } from "./replica-count.js";

const signer = createSigner(randomBytes(32));
const bucket = "b";

/** A connection that hands what the test "publishes" to the one subscription. */
function fakeNats() {
  let deliver: ((err: Error | null, msg: { data: Uint8Array }) => void) | undefined;
  const nc = {
    subscribe: (_subject: string, opts: { callback: typeof deliver }) => {
      deliver = opts.callback;
      return { unsubscribe: () => (deliver = undefined) };
    },
  } as unknown as NatsConnection;
  const report = (replica: string) => {
    const body = JSON.stringify({ replica, at: Date.now(), models: {} });
    deliver?.(null, { data: new TextEncoder().encode(signer.sign(body, natsSubjects.stats(bucket))) });
  };
  return { nc, report };
}

describe("ReplicaCount", () => {
  it("counts this replica before hearing any report, its own reports once, and each other replica once", () => {
    const { nc, report } = fakeNats();
    const count = new ReplicaCount("me");
    expect(count.count()).toBe(1);
    let newcomers = 0;
    count.follow(nc, bucket, signer, () => newcomers++);
    report("me");
    expect(count.count()).toBe(1);
    report("other");
    report("other");
    report("third");
    expect(count.count()).toBe(3);
    // Only a replica not seen lately makes this one answer with its own report.
    expect(newcomers).toBe(2);
    expect(count.count(Date.now() + 11_000)).toBe(1);
    count.close();
  });
});
