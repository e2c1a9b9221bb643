/**
 * A path beside a provider's OpenAI-compatible base path, from its origin: the base path with its
 * compatible-API suffix (`/v1`, `/compatible-mode/v1`) taken off, then `path`. A gateway prefix in front
 * of the provider (`https://gw.example/deepseek/v1`) is kept: `/deepseek/beta/completions`.
 */
export function besideBasePath(basePath: string, suffixes: readonly string[], path: string): string {
  for (const s of suffixes) if (basePath.endsWith(s)) return basePath.slice(0, basePath.length - s.length) + path;
  return basePath + path;
}
