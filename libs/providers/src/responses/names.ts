import { createHash } from "node:crypto";

/** A function's name as the client knows it: in a namespace or not. */
export interface ToolName {
  name: string;
  namespace?: string;
}

/** Longest function name every translated target accepts (OpenAI: 64). */
const MAX_NAME = 64;

/**
 * Flattens `namespace` tools (Responses groups function tools under a namespace; chat, Anthropic and
 * Gemini have no such grouping) into `{namespace}__{name}` function names, and maps the model's calls
 * back. Names over 64 characters are shortened with a hash suffix, still unique and reversible here.
 */
export class ToolNames {
  private readonly back = new Map<string, ToolName>();

  flat(name: string, namespace?: string | null): string {
    if (!namespace) return name;
    let flat = `${namespace}__${name}`;
    if (flat.length > MAX_NAME) {
      const h = createHash("sha256").update(flat).digest("hex").slice(0, 8);
      flat = `${flat.slice(0, MAX_NAME - 9)}_${h}`;
    }
    this.back.set(flat, { name, namespace });
    return flat;
  }

  /** The client's name of a function the model called. */
  original(flat: string): ToolName {
    return this.back.get(flat) ?? { name: flat };
  }
}
