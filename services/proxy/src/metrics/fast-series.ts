import type { Registry } from "prom-client";

type Labels = Record<string, string>;

/** What prom-client's registry reads from a metric at scrape time (its `get()` contract). */
interface Exported {
  name: string;
  help: string;
  type: "counter" | "histogram";
  values: { labels: Record<string, string | number>; value: number; metricName?: string }[];
  aggregator: "sum";
}

/**
 * Counter and histogram families that the request path adds to with plain arithmetic on a series object
 * it keeps, and that prom-client's registry formats at scrape time (they implement the metric
 * interface `Registry.registerMetric` takes). prom-client's own labelled `inc()`/`observe()` hash and
 * validate the label object on every call, several times a request.
 */
abstract class Family<S> {
  private readonly series = new Map<string, { labels: Labels; s: S }>();

  constructor(
    registry: Registry,
    readonly name: string,
    readonly help: string,
  ) {
    registry.registerMetric(this as never);
  }

  protected abstract create(): S;

  /** The series for a label set (created on first use); keep it, and add to it directly. */
  with(labels: Labels): S {
    const k = Object.values(labels).join("\u0000");
    let e = this.series.get(k);
    if (e === undefined) {
      e = { labels, s: this.create() };
      this.series.set(k, e);
    }
    return e.s;
  }

  protected entries(): Iterable<{ labels: Labels; s: S }> {
    return this.series.values();
  }

  reset(): void {
    this.series.clear();
  }
}

export interface CounterSeries {
  value: number;
}

export class CounterFamily extends Family<CounterSeries> {
  readonly type = "counter";

  protected create(): CounterSeries {
    return { value: 0 };
  }

  get(): Exported {
    const values = [];
    for (const { labels, s } of this.entries()) values.push({ labels, value: s.value });
    return { name: this.name, help: this.help, type: "counter", values, aggregator: "sum" };
  }
}

export interface HistogramSeries {
  /** Observations per bucket (not cumulative; the last is +Inf). */
  counts: number[];
  sum: number;
  count: number;
}

export class HistogramFamily extends Family<HistogramSeries> {
  readonly type = "histogram";

  constructor(
    registry: Registry,
    name: string,
    help: string,
    private readonly bounds: readonly number[],
  ) {
    super(registry, name, help);
  }

  protected create(): HistogramSeries {
    return { counts: new Array<number>(this.bounds.length + 1).fill(0), sum: 0, count: 0 };
  }

  observe(s: HistogramSeries, v: number): void {
    let i = 0;
    while (i < this.bounds.length && v > this.bounds[i]!) i++;
    s.counts[i]!++;
    s.sum += v;
    s.count++;
  }

  get(): Exported {
    const values: Exported["values"] = [];
    const bucket = `${this.name}_bucket`;
    for (const { labels, s } of this.entries()) {
      let acc = 0;
      this.bounds.forEach((le, i) => {
        acc += s.counts[i]!;
        values.push({ labels: Object.assign({}, labels, { le }), value: acc, metricName: bucket });
      });
      values.push({ labels: Object.assign({}, labels, { le: "+Inf" }), value: s.count, metricName: bucket });
      values.push({ labels, value: s.sum, metricName: `${this.name}_sum` });
      values.push({ labels, value: s.count, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: "histogram", values, aggregator: "sum" };
  }
}
