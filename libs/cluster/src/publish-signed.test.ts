import { randomBytes } from "node:crypto";
import { createSigner } from "@ai-router/contracts";
import type { NatsConnection } from "@nats-io/transport-node";
import { describe, expect, it } from "vitest";
import { publishSigned, warnEvery } from "./subscribe.js";

describe("publishSigned", () => {
  it("reports a failed publish (e.g. over max_payload) instead of swallowing it; a warning at most once a minute", () => {
    const nc = {
      isClosed: () => false,
      publish: () => {
        throw new Error("'payload' max_payload size exceeded");
      },
    } as unknown as NatsConnection;
    const warned: string[] = [];
    const fail = warnEvery({ warn: (o: object, msg: string) => warned.push(`${msg} ${JSON.stringify(o)}`) }, "targets report");
    const signer = createSigner(randomBytes(32));
    expect(publishSigned(nc, signer, "s", { a: 1 }, fail)).toBe(false);
    expect(publishSigned(nc, signer, "s", { a: 1 }, fail)).toBe(false);
    expect(warned).toEqual(['targets report could not be published {"err":"\'payload\' max_payload size exceeded"}']);
  });
});
