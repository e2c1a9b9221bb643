/** `${VAR}`, `${VAR:-default}` and `${VAR:?message}` in string values. `$${` escapes a literal `${`. */
const pattern = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:-|:\?)([^}]*))?\}/g;

export class InterpolationError extends Error {
  override readonly name = "InterpolationError";
  constructor(
    message: string,
    readonly path: (string | number)[],
  ) {
    super(message);
  }
}

export function interpolateString(value: string, env: NodeJS.ProcessEnv, path: (string | number)[] = []): string {
  return value.replace(pattern, (whole, name: string | undefined, op: string | undefined, arg: string | undefined) => {
    if (whole === "$${") return "${";
    const v = env[name as string];
    if (v !== undefined && v !== "") return v;
    if (op === ":-") return arg ?? "";
    if (op === ":?") throw new InterpolationError(`environment variable ${name} is required${arg ? `: ${arg}` : ""}`, path);
    return "";
  });
}

/** Interpolates every string in a parsed YAML tree (never the raw text, so values cannot inject YAML). */
export function interpolateTree(node: unknown, env: NodeJS.ProcessEnv, path: (string | number)[] = []): unknown {
  if (typeof node === "string") return interpolateString(node, env, path);
  if (Array.isArray(node)) return node.map((v, i) => interpolateTree(v, env, [...path, i]));
  if (node !== null && typeof node === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) out[k] = interpolateTree(v, env, [...path, k]);
    return out;
  }
  return node;
}
