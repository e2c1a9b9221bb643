/**
 * Human-readable log lines for a terminal: `12:00:01.234 INFO  proxy  message  key=value ...`. Logs are
 * JSON (one object a line) whenever stdout is not a terminal (files, pipes, containers' log drivers).
 */

export type LogFormat = "json" | "pretty";

/** `LOG_FORMAT=json|pretty` wins; otherwise pretty on a terminal, JSON anywhere else. */
export function logFormat(env: NodeJS.ProcessEnv = process.env, isTTY = Boolean(process.stdout.isTTY)): LogFormat {
  const f = env.LOG_FORMAT?.toLowerCase();
  if (f === "json" || f === "pretty") return f;
  return isTTY ? "pretty" : "json";
}

const LEVELS: Record<number, [string, string]> = {
  10: ["TRACE", "\x1b[90m"],
  20: ["DEBUG", "\x1b[36m"],
  30: ["INFO ", "\x1b[32m"],
  40: ["WARN ", "\x1b[33m"],
  50: ["ERROR", "\x1b[31m"],
  60: ["FATAL", "\x1b[35m"],
};
const DIM = "\x1b[2m";
const RESET = "\x1b[0m";
/** Fields shown in the line's head, not repeated as key=value. */
const HEAD = new Set(["level", "time", "msg", "service", "name", "pid", "hostname"]);

function value(v: unknown): string {
  if (typeof v === "string") return /^[^\s"=]+$/.test(v) ? v : JSON.stringify(v);
  if (v === null || typeof v !== "object") return String(v);
  return JSON.stringify(v);
}

function clock(time: unknown): string {
  const d = typeof time === "number" || typeof time === "string" ? new Date(time) : new Date();
  return Number.isNaN(d.getTime()) ? String(time) : d.toISOString().slice(11, 23);
}

/** One JSON log line -> one readable line (with ANSI colours when `color`). A line that is not JSON passes unchanged. */
export function prettyLine(line: string, color: boolean): string {
  const text = line.endsWith("\n") ? line.slice(0, -1) : line;
  let o: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) return `${text}\n`;
    o = parsed as Record<string, unknown>;
  } catch {
    return `${text}\n`;
  }
  const [label, tint] = LEVELS[Number(o.level)] ?? [String(o.level ?? "").padEnd(5), ""];
  const service = String(o.service ?? o.name ?? "");
  const fields: string[] = [];
  for (const [k, v] of Object.entries(o)) {
    if (HEAD.has(k) || v === undefined) continue;
    if (k === "err" && v !== null && typeof v === "object" && "stack" in v) {
      fields.push(`err=${value((v as { message?: unknown }).message ?? v)}`);
      continue;
    }
    fields.push(`${k}=${value(v)}`);
  }
  const msg = String(o.msg ?? "");
  const rest = fields.length ? `  ${color ? DIM : ""}${fields.join(" ")}${color ? RESET : ""}` : "";
  const head = color
    ? `${DIM}${clock(o.time)}${RESET} ${tint}${label}${RESET} ${DIM}${service}${RESET}`
    : `${clock(o.time)} ${label} ${service}`;
  return `${head}  ${msg}${rest}\n`;
}

/** Colours unless `NO_COLOR` is set (https://no-color.org) or the output is not a terminal. */
export function useColor(env: NodeJS.ProcessEnv = process.env, isTTY = Boolean(process.stdout.isTTY)): boolean {
  return isTTY && !env.NO_COLOR;
}
