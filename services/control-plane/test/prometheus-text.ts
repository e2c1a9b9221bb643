/**
 * Prometheus text: every sample line parses; the sum of one counter's series. Values are read as Go's
 * ParseFloat reads them, so NaN in any case (prom-client writes a young process's event loop mean as `Nan`).
 */
export function scrape(text: string, name: string): number {
  let sum = 0;
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (-?[0-9.eE+-]+|[Nn][Aa][Nn]|\+Inf|-Inf)$/.exec(line);
    if (!m) throw new Error(`not Prometheus text: ${line}`);
    if (m[1] === name) sum += /^nan$/i.test(m[3] as string) ? Number.NaN : Number(m[3]);
  }
  return sum;
}
