import { type Logger, type LoggerOptions, pino } from "pino";

export type { Logger } from "pino";

/** Paths masked in every log line: credentials and keys, wherever they appear. */
export const redactPaths = [
  "authorization",
  "api_key",
  "apiKey",
  "apiKeys",
  "x-api-key",
  "key",
  "password",
  "*.authorization",
  "*.api_key",
  "*.apiKey",
  "*.apiKeys",
  "*['x-api-key']",
  "*.key",
  "*.password",
  "*.*.authorization",
  "*.*['x-api-key']",
  "*.*.api_key",
  "*.*.apiKey",
  "headers.authorization",
  "headers['x-api-key']",
  "req.headers.authorization",
  "req.headers['x-api-key']",
];

export interface CreateLoggerOptions {
  name: string;
  level?: string;
  /** Write synchronously (tests); async by default for throughput. */
  sync?: boolean;
  destination?: NodeJS.WritableStream;
  /**
   * Skip redaction. Only for loggers whose records are built field by field from values known to be
   * safe (the access log): redaction of wildcard paths costs several microseconds a line.
   */
  unredacted?: boolean;
}

/** A pino logger with the router's redaction rules. */
export function createLogger(opts: CreateLoggerOptions): Logger {
  const options: LoggerOptions = {
    name: opts.name,
    level: opts.level ?? process.env.LOG_LEVEL ?? "info",
    ...(opts.unredacted ? {} : { redact: { paths: redactPaths, censor: "[redacted]" } }),
    base: { service: opts.name },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  const dest = opts.destination ?? pino.destination({ sync: opts.sync ?? false, minLength: opts.sync ? 0 : 4096 });
  return pino(options, dest);
}

/** `sk-...abcd`: enough to recognise a key, never enough to use it. */
export function maskSecret(secret: string): string {
  if (secret.length <= 8) return "****";
  const dash = secret.indexOf("-");
  const prefix = dash > 0 && dash <= 8 ? secret.slice(0, dash + 1) : secret.slice(0, 3);
  return `${prefix}...${secret.slice(-4)}`;
}
