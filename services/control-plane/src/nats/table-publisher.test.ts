import { randomBytes } from "node:crypto";
import { createSigner } from "@ai-router/contracts";
import { createLogger } from "@ai-router/logger";
import { describe, expect, it } from "vitest";
import type { PrismaClient } from "../db/client.js";
import type { NatsLink } from "./nats-link.js";
import { TablePublisher } from "./table-publisher.js";

describe("TablePublisher", () => {
  it("survives a database that is down when it first publishes: resolves unpublished, logs, and retries", async () => {
    let compiles = 0;
    const prisma = {
      $transaction: () => {
        compiles++;
        return Promise.reject(new Error("connect ECONNREFUSED 127.0.0.1:5432"));
      },
    } as unknown as PrismaClient;
    const link = { connected: false, bucket: () => Promise.reject(new Error("not connected")) } as unknown as NatsLink;
    const lines: string[] = [];
    const logger = createLogger({
      name: "t",
      level: "warn",
      sync: true,
      destination: { write: (l: string) => void lines.push(l) } as never,
    });
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => unhandled.push(e);
    process.on("unhandledRejection", onUnhandled);
    const pub = new TablePublisher(prisma, link, logger, createSigner(randomBytes(32)), "b", undefined, 20);
    try {
      // What the control plane does once NATS answers: a background publish nobody awaits.
      void pub.publish("start-up");
      const r = await pub.publish("admin change");
      expect(r).toMatchObject({ published: false });
      await new Promise((res) => setTimeout(res, 120));
      expect(compiles).toBeGreaterThan(2); // retried in the background
      expect(unhandled).toEqual([]);
      expect(lines.join("")).toContain("compiling the routing table failed; will retry");
    } finally {
      pub.stop();
      process.off("unhandledRejection", onUnhandled);
    }
  });
});
