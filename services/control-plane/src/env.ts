import {
  checkClusterEnv,
  clusterEnv,
  envProblems,
  healthDefaults,
  LogLevelEnv,
  MetricsLegacyNamesEnv,
  type TableSettings,
} from "@ai-router/contracts";
import { z } from "zod";
import { defaultSettings } from "./compile/compile-db.js";

const flag = z
  .enum(["1", "0", "true", "false", ""])
  .optional()
  .transform((v) => v === "1" || v === "true");

/**
 * Tokens copied from an example (`replace-with-a-long-random-token`, `changeme...`) or with too few
 * distinct characters (`aaaaaaaaaaaaaaaa`, `1234567812345678`) are refused: they pass a length check
 * but guard nothing.
 */
export function looksLikePlaceholder(token: string): boolean {
  const t = token.toLowerCase();
  if (/replace|change-?me|placeholder|example|your-?token|admin-?token|secret-?token|password|^x+$/.test(t)) return true;
  return new Set(t).size < 8;
}

/** The control plane's environment, validated at boot. */
export const ControlPlaneEnvSchema = z
  .object({
    PORT: z.coerce.number().int().min(0).max(65535).default(8081),
    HOST: z.string().default("0.0.0.0"),
    DATABASE_URL: z.string().url().default("postgresql://postgres@127.0.0.1:5432/ai_router"),
    NATS_URL: z.string().default("nats://127.0.0.1:4222"),
    /** NATS credentials (a NATS_URL may carry them too: nats://user:password@host:4222). */
    NATS_USER: z.string().min(1).optional(),
    NATS_PASSWORD: z.string().min(1).optional(),
    ROUTER_NATS_BUCKET: z.string().optional(),
    /** Bearer token for the admin API. Required unless ROUTER_DEV_MODE=1. */
    ROUTER_ADMIN_TOKEN: z.string().optional(),
    /** 32 bytes (64 hex characters or base64) sealing provider keys at rest and in published tables. */
    ROUTER_MASTER_KEY: z.string().min(1, "ROUTER_MASTER_KEY is required"),
    /** Development only: allows running without an admin token (every admin request is accepted). */
    ROUTER_DEV_MODE: flag,
    /** Skip `prisma migrate deploy` at start-up (when migrations are applied by a separate job). */
    SKIP_MIGRATIONS: flag,
    LOG_LEVEL: LogLevelEnv,
    /** Also export the metrics' deprecated unprefixed names (`requests_total`...), until 0.3: docs/usage-ledger.md. */
    ROUTER_METRICS_LEGACY_NAMES: MetricsLegacyNamesEnv,
    /** A proxy the console's playground sends chats through when the console is opened here (`:8081/ui/`). */
    /** When set, `GET /metrics` asks for `Authorization: Bearer <token>` (the same variable as the proxies'). */
    ROUTER_METRICS_TOKEN: z.string().min(16).optional(),
    ROUTER_PROXY_URL: z.url({ protocol: /^https?$/ }).optional(),
    /** The built console's folder (default: apps/console/dist of this checkout). */
    ROUTER_CONSOLE_DIR: z.string().optional(),
    /** Cluster-wide proxy settings, published in every routing table (router.yaml's `server:` in standalone mode). */
    ROUTER_MAX_BODY_BYTES: z.coerce.number().int().positive().default(defaultSettings.maxBodyBytes),
    /** Largest audio upload (transcriptions, translations) the proxies accept. */
    ROUTER_MAX_AUDIO_BYTES: z.coerce
      .number()
      .int()
      .positive()
      .default(25 * 1024 * 1024),
    ROUTER_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(10).default(defaultSettings.maxAttempts),
    ROUTER_FAILURE_THRESHOLD: z.coerce.number().int().min(1).max(1000).default(defaultSettings.failureThreshold),
    ROUTER_COOLDOWN_MS: z.coerce.number().int().min(0).max(3_600_000).default(defaultSettings.cooldownMs),
    /** Failed health-worker probes in a row that take a provider's targets out of rotation. */
    ROUTER_PROBE_FAILURE_THRESHOLD: z.coerce.number().int().min(1).max(1000).default(healthDefaults.failureThreshold),
  })
  .superRefine((e, ctx) => {
    if (!e.ROUTER_ADMIN_TOKEN && !e.ROUTER_DEV_MODE)
      ctx.addIssue({
        code: "custom",
        path: ["ROUTER_ADMIN_TOKEN"],
        message: "ROUTER_ADMIN_TOKEN is required (set ROUTER_DEV_MODE=1 to run without admin auth, for development only)",
      });
    if (e.ROUTER_ADMIN_TOKEN !== undefined && e.ROUTER_ADMIN_TOKEN.length < 16)
      ctx.addIssue({ code: "custom", path: ["ROUTER_ADMIN_TOKEN"], message: "ROUTER_ADMIN_TOKEN must be at least 16 characters" });
    else if (e.ROUTER_ADMIN_TOKEN !== undefined && looksLikePlaceholder(e.ROUTER_ADMIN_TOKEN))
      ctx.addIssue({
        code: "custom",
        path: ["ROUTER_ADMIN_TOKEN"],
        message: "ROUTER_ADMIN_TOKEN is a placeholder or too predictable: use a random value (e.g. `openssl rand -hex 24`)",
      });
    checkClusterEnv(e, ctx);
  });

export interface ControlPlaneEnv extends z.infer<typeof ControlPlaneEnvSchema> {
  masterKey: Buffer;
  bucket: string;
}

/** The proxy settings this control plane publishes. */
export const tableSettings = (e: ControlPlaneEnv): TableSettings => ({
  maxBodyBytes: e.ROUTER_MAX_BODY_BYTES,
  maxAudioBytes: e.ROUTER_MAX_AUDIO_BYTES,
  maxAttempts: e.ROUTER_MAX_ATTEMPTS,
  failureThreshold: e.ROUTER_FAILURE_THRESHOLD,
  cooldownMs: e.ROUTER_COOLDOWN_MS,
  probeFailureThreshold: e.ROUTER_PROBE_FAILURE_THRESHOLD,
});

/** Parses the environment; returns a list of problems (never containing secret values) on failure. */
export function parseEnv(env: NodeJS.ProcessEnv): { ok: true; env: ControlPlaneEnv } | { ok: false; problems: string[] } {
  const r = ControlPlaneEnvSchema.safeParse(env);
  if (!r.success) return { ok: false, problems: envProblems(r.error) };
  return { ok: true, env: Object.assign({}, r.data, clusterEnv(r.data)) };
}
