import { z } from "zod";
import { routingBucketName } from "./nats.js";
import { parseMasterKey } from "./secrets.js";

/** `LOG_LEVEL`, the same for every service. */
export const LogLevelEnv = z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info");

/**
 * The checks every cluster service makes of its environment: `ROUTER_MASTER_KEY` opens (32 bytes) and
 * `ROUTER_NATS_BUCKET` is a valid bucket name. Messages never contain the key.
 */
export function checkClusterEnv(e: { ROUTER_MASTER_KEY: string; ROUTER_NATS_BUCKET?: string | undefined }, ctx: z.RefinementCtx): void {
  try {
    parseMasterKey(e.ROUTER_MASTER_KEY);
  } catch (err) {
    ctx.addIssue({ code: "custom", path: ["ROUTER_MASTER_KEY"], message: (err as Error).message });
  }
  try {
    routingBucketName({ ROUTER_NATS_BUCKET: e.ROUTER_NATS_BUCKET });
  } catch {
    ctx.addIssue({ code: "custom", path: ["ROUTER_NATS_BUCKET"], message: "letters, digits, - and _ only" });
  }
}

/** The master key and bucket a checked cluster environment stands for. */
export function clusterEnv(e: { ROUTER_MASTER_KEY: string; ROUTER_NATS_BUCKET?: string | undefined }): {
  masterKey: Buffer;
  bucket: string;
} {
  return { masterKey: parseMasterKey(e.ROUTER_MASTER_KEY), bucket: routingBucketName({ ROUTER_NATS_BUCKET: e.ROUTER_NATS_BUCKET }) };
}

/** An environment's problems as `NAME: what is wrong` lines. */
export const envProblems = (error: z.ZodError): string[] => error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
