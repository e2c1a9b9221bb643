import { z } from "zod";

/** The proxy's environment, validated at boot. */
export const ProxyEnv = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8000),
  HOST: z.string().default("0.0.0.0"),
  ROUTER_CONFIG: z.string().default("./router.yaml"),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /** Cluster mode: routing tables come from NATS instead of the config file. */
  NATS_URL: z.string().optional(),
});
export type ProxyEnv = z.infer<typeof ProxyEnv>;
