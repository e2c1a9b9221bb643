import type { z } from "zod";

/** A strategy's options did not validate; the proxy reports it as a config error. */
export class StrategyOptionsError extends Error {
  override readonly name = "StrategyOptionsError";
}

/** Validates a strategy's options against its strict schema, with one readable message listing every problem. */
export function parseOptions<T>(schema: z.ZodType<T>, options: Record<string, unknown>, strategy: string): T {
  const r = schema.safeParse(options ?? {});
  if (r.success) return r.data;
  const problems = r.error.issues.map((i) => {
    if (i.code === "unrecognized_keys") return `unknown option${i.keys.length > 1 ? "s" : ""} ${i.keys.map((k) => `"${k}"`).join(", ")}`;
    const path = i.path.length > 0 ? `"${i.path.join(".")}"` : "options";
    return `${path}: ${i.message}`;
  });
  throw new StrategyOptionsError(`invalid strategy_options for ${strategy}: ${problems.join("; ")}`);
}
