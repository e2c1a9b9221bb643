import fs from "node:fs";
import { type Logger, type LoggerOptions, pino } from "pino";
import { LineWriter } from "./line-writer.js";
import { logFormat, prettyLine, useColor } from "./pretty.js";

export type { Logger } from "pino";
export { LineWriter } from "./line-writer.js";
export { type LogFormat, logFormat, prettyLine, useColor } from "./pretty.js";

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
  if (opts.destination) return pino(options, opts.destination);
  // A terminal gets readable lines; files, pipes and log collectors get JSON (LOG_FORMAT overrides).
  if (logFormat() === "pretty") return pino(options, prettyDestination(1, useColor()));
  // Operational lines are rare: each is written at once (asynchronously), never held in a buffer.
  return pino(options, pino.destination({ sync: opts.sync ?? false }));
}

/** A pino destination writing each line made readable, synchronously (a terminal is read by a person, not a benchmark). */
function prettyDestination(fd: number, color: boolean): { write(line: string): void } {
  return {
    write(line: string) {
      try {
        fs.writeSync(fd, prettyLine(line, color));
      } catch {
        // the terminal is gone: nothing more can be done
      }
    },
  };
}

/** `sk-...abcd`: enough to recognise a key, never enough to use it. */
export function maskSecret(secret: string): string {
  if (secret.length <= 8) return "****";
  const dash = secret.indexOf("-");
  const prefix = dash > 0 && dash <= 8 ? secret.slice(0, dash + 1) : secret.slice(0, 3);
  return `${prefix}...${secret.slice(-4)}`;
}

/** A LineWriter on `fd`; on a terminal (stdout only, unless LOG_FORMAT says otherwise) its JSON lines are made readable. */
export function createLineWriter(fd = 1): LineWriter {
  if (fd === 1 && logFormat() === "pretty") {
    const color = useColor();
    return new LineWriter(fd, 64 * 1024, 250, 16 * 1024 * 1024, (line) => prettyLine(line, color));
  }
  return new LineWriter(fd);
}

/**
 * SIGTERM / SIGINT: logs, runs `close` once (a second signal is ignored), flushes the log and exits 0;
 * exits anyway after `forceAfterMs` when closing hangs. `context` is logged with the signal.
 */
export function exitOnSignals(
  logger: Logger,
  close: () => Promise<unknown>,
  forceAfterMs: number,
  context: () => object = () => ({}),
): void {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info(Object.assign({ signal }, context()), "shutting down");
    void close()
      .catch((err) => logger.error({ err: (err as Error).message }, "shutdown failed"))
      .finally(() => {
        logger.info("stopped");
        logger.flush();
        process.exit(0);
      });
    setTimeout(() => process.exit(0), forceAfterMs).unref();
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
}
