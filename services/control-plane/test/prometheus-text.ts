/** Prometheus text: every sample line parses; the sum of one counter's series. */
export function scrape(text: string, name: string): number {
  let sum = 0;
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (-?[0-9.eE+-]+|NaN|\+Inf|-Inf)$/.exec(line);
    if (!m) throw new Error(`not Prometheus text: ${line}`);
    if (m[1] === name) sum += Number(m[3]);
  }
  return sum;
}
