import { useEffect, useRef } from "react";
import uPlot from "uplot";

let drawable: boolean | undefined;
function canDraw(): boolean {
  if (drawable === undefined) {
    try {
      drawable = !!document.createElement("canvas").getContext("2d");
    } catch {
      drawable = false;
    }
  }
  return drawable;
}

export interface Series {
  label: string;
  values: (number | null)[];
  color: string;
  /** Bars instead of a line (counts per bucket). */
  bars?: boolean;
}

/**
 * A time chart (uPlot: ~50 KB, canvas, fast with thousands of points). `x` is Unix seconds. The width
 * follows the card; the legend under it is plain HTML so it is translated and readable by screen readers.
 */
export function TimeChart(props: { x: number[]; series: Series[]; height?: number; label: string; format?: (v: number) => string }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    let plot: uPlot | undefined;
    // No canvas (tests, very old browsers): the legend and the tables beside the chart carry the numbers.
    if (!canDraw()) return;
    const fmt = props.format ?? ((v: number) => String(v));
    try {
      plot = new uPlot(
        {
          width: Math.max(el.clientWidth, 240),
          height: props.height ?? 220,
          legend: { show: false },
          cursor: { drag: { x: false, y: false } },
          scales: { x: { time: true } },
          axes: [
            { stroke: "#6b7286", grid: { stroke: "#eef0f5" }, ticks: { stroke: "#e4e7ef" } },
            {
              stroke: "#6b7286",
              grid: { stroke: "#eef0f5" },
              ticks: { show: false },
              size: 56,
              values: (_u, vals) => vals.map((v) => fmt(v)),
            },
          ],
          series: [
            {},
            ...props.series.map((s) => ({
              label: s.label,
              stroke: s.color,
              width: 2,
              fill: `${s.color}22`,
              points: { show: props.x.length < 30 },
              ...(s.bars ? { paths: uPlot.paths.bars?.({ size: [0.6, 40] }) } : {}),
            })),
          ],
        },
        [props.x, ...props.series.map((s) => s.values)] as uPlot.AlignedData,
        el,
      );
    } catch {
      // a chart that cannot be drawn leaves the legend and tables in place
    }
    const ro =
      typeof ResizeObserver === "undefined"
        ? undefined
        : new ResizeObserver(() => plot?.setSize({ width: Math.max(el.clientWidth, 240), height: props.height ?? 220 }));
    ro?.observe(el);
    return () => {
      ro?.disconnect();
      plot?.destroy();
    };
  }, [props.x, props.series, props.height, props.format]);
  return (
    <figure style={{ margin: 0 }} aria-label={props.label}>
      <div className="chart" ref={box} />
      <figcaption className="legend">
        {props.series.map((s) => (
          <span key={s.label}>
            <i style={{ background: s.color }} />
            {s.label}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}
