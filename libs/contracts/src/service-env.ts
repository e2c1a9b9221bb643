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

/**
 * Files of the Files API in an S3-compatible bucket (MinIO, OSS, COS, AWS S3; AWS SDK credentials):
 * the same variables for the proxies and the health worker, which read the same files.
 */
export const S3FilesEnv = {
  /** Unset: files in the data folder (standalone) or PostgreSQL (cluster). */
  ROUTER_FILES_S3_BUCKET: z.string().min(1).optional(),
  /** The S3 endpoint (unset: AWS). */
  ROUTER_FILES_S3_ENDPOINT: z.url().optional(),
  ROUTER_FILES_S3_REGION: z.string().min(1).default("us-east-1"),
  /** Key prefix inside the bucket. */
  ROUTER_FILES_S3_PREFIX: z.string().max(200).default(""),
  /** Path-style addressing (MinIO and most self-hosted stores). */
  ROUTER_FILES_S3_PATH_STYLE: z
    .enum(["1", "0", "true", "false", ""])
    .optional()
    .transform((v) => v === "1" || v === "true"),
};
