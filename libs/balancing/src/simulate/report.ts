import { percentile, type RunResult } from "./engine.js";

/** One row of the report, already rounded. */
export interface Row {
  strategy: string;
  errorPct: number;
  p50: number;
  p95: number;
  costPer1k: number;
  failoversPer100: number;
  share: Record<string, number>;
}

export function toRow(r: RunResult): Row {
  const served = r.requests - r.errors;
  const share: Record<string, number> = {};
  for (const [k, v] of Object.entries(r.share)) share[k] = served === 0 ? 0 : Math.round((v / served) * 100);
  return {
    strategy: r.label,
    errorPct: Math.round((r.errors / r.requests) * 10000) / 100,
    p50: Math.round(percentile(r.latencies, 50)),
    p95: Math.round(percentile(r.latencies, 95)),
    costPer1k: Math.round((r.costUsd / r.requests) * 1000 * 100) / 100,
    failoversPer100: Math.round((r.failovers / r.requests) * 1000) / 10,
    share,
  };
}

/** The table as Markdown (printed, and pasted into docs/balancing.md). */
export function markdownTable(rows: readonly Row[], providers: readonly string[]): string {
  const head = [
    "strategy",
    "client errors %",
    "p50 ms",
    "p95 ms",
    "mean cost $/1k req",
    "failovers /100 req",
    `traffic share % (${providers.join("/")})`,
  ];
  const lines = [`| ${head.join(" | ")} |`, `|${head.map((_, i) => (i === 0 ? "---" : "---:")).join("|")}|`];
  for (const r of rows) {
    const share = providers.map((p) => r.share[p] ?? 0).join("/");
    lines.push(
      `| ${r.strategy} | ${r.errorPct.toFixed(2)} | ${r.p50} | ${r.p95} | ${r.costPer1k.toFixed(2)} | ${r.failoversPer100.toFixed(1)} | ${share} |`,
    );
  }
  return lines.join("\n");
}

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** Three bar panels (latency p50/p95, client error rate, mean cost) with one row per strategy. */
export function svgChart(rows: readonly Row[], title: string): string {
  const labelW = 200;
  const panelW = 240;
  const gap = 30;
  const rowH = 22;
  const top = 60;
  const width = labelW + 3 * (panelW + gap) + 10;
  const height = top + rows.length * rowH + 40;
  const panels = [
    {
      name: "latency ms (p50 dark, p95 light)",
      max: Math.max(...rows.map((r) => r.p95)),
      value: (r: Row) => r.p95,
      inner: (r: Row) => r.p50,
      fmt: (r: Row) => `${r.p50} / ${r.p95}`,
    },
    {
      name: "client error %",
      max: Math.max(...rows.map((r) => r.errorPct)),
      value: (r: Row) => r.errorPct,
      inner: undefined,
      fmt: (r: Row) => r.errorPct.toFixed(2),
    },
    {
      name: "mean cost $ per 1k requests",
      max: Math.max(...rows.map((r) => r.costPer1k)),
      value: (r: Row) => r.costPer1k,
      inner: undefined,
      fmt: (r: Row) => r.costPer1k.toFixed(2),
    },
  ];
  const colors = ["#4c78a8", "#e45756", "#54a24b"];
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="10" y="22" font-size="15" font-weight="bold">${esc(title)}</text>`,
  ];
  panels.forEach((p, k) => {
    const x0 = labelW + k * (panelW + gap);
    out.push(`<text x="${x0}" y="${top - 10}" font-weight="bold">${esc(p.name)}</text>`);
    rows.forEach((r, i) => {
      const y = top + i * rowH;
      const scale = p.max > 0 ? (panelW - 70) / p.max : 0;
      const w = Math.max(1, p.value(r) * scale);
      const light = k === 0 ? "#9ecae9" : colors[k];
      out.push(`<rect x="${x0}" y="${y + 3}" width="${w.toFixed(1)}" height="${rowH - 8}" fill="${light}"/>`);
      if (p.inner)
        out.push(
          `<rect x="${x0}" y="${y + 3}" width="${Math.max(1, p.inner(r) * scale).toFixed(1)}" height="${rowH - 8}" fill="${colors[0]}"/>`,
        );
      out.push(`<text x="${(x0 + w + 4).toFixed(1)}" y="${y + 15}" fill="#333">${esc(p.fmt(r))}</text>`);
    });
  });
  for (const [i, r] of rows.entries()) out.push(`<text x="10" y="${top + i * rowH + 15}">${esc(r.strategy)}</text>`);
  out.push(
    `<text x="10" y="${height - 12}" fill="#666">Deterministic replay (seeded); see docs/balancing.md for the scenario.</text>`,
    "</svg>",
  );
  return `${out.join("\n")}\n`;
}
