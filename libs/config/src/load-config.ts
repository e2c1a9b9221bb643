import { readFileSync } from "node:fs";
import { RouterConfigFile } from "@ai-router/contracts";
import { parseDocument } from "yaml";
import type { z } from "zod";
import { InterpolationError, interpolateTree } from "./interpolate.js";

/** A config file that cannot be used; the message names the file, the path in it and the problem. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`invalid config ${file}:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  }
}

export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const p of path) out += typeof p === "number" ? `[${p}]` : out ? `.${String(p)}` : String(p);
  return out || "(root)";
}

function zodProblems(error: z.ZodError): string[] {
  return error.issues.map((i) => `${formatPath(i.path)}: ${i.message}`);
}

/** Parses and validates config text (YAML or JSON). `file` is only used in messages. */
export function parseConfig(text: string, file: string, env: NodeJS.ProcessEnv = process.env): RouterConfigFile {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0)
    throw new ConfigError(
      file,
      doc.errors.map((e) => e.message.split("\n")[0] ?? e.message),
    );
  let tree: unknown;
  try {
    tree = interpolateTree(doc.toJS({ maxAliasCount: 100 }), env);
  } catch (err) {
    if (err instanceof InterpolationError) throw new ConfigError(file, [`${formatPath(err.path)}: ${err.message}`]);
    throw err;
  }
  const parsed = RouterConfigFile.safeParse(tree ?? {});
  if (!parsed.success) throw new ConfigError(file, zodProblems(parsed.error));
  return parsed.data;
}

export function loadConfigFile(file: string, env: NodeJS.ProcessEnv = process.env): RouterConfigFile {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new ConfigError(file, [`cannot read file: ${(err as NodeJS.ErrnoException).code ?? String(err)}`]);
  }
  return parseConfig(text, file, env);
}
