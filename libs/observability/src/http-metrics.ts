type Labels = Record<string, string | number>;
/** One exposed sample, as prom-client's metrics give them to its Registry. */
interface Sample {
  labels: Labels;
  value: number;
  metricName?: string;
}
interface Exposed {
  name: string;
  help: string;
  type: 'counter' | 'histogram';
  aggregator: 'sum';
  values: Sample[];
}

/** Counts of one method and route template. */
interface RouteCounts {
  method: string;
  route: string;
  /** Requests answered per status code. */
  statuses: Map<number, number>;
  /** Observations per bucket (not cumulative); the last slot is +Inf. */
  buckets: Float64Array;
  sum: number;
  count: number;
}

/**
 * The per-request HTTP metrics: `<name>_total`-style request counter by method, route template
 * and status, and a duration histogram by method and route. Every request on every route is
 * recorded, evaluations included, so recording is a couple of Map lookups and additions: no
 * label object, no label hashing, no string built per request (prom-client's Counter and
 * Histogram do each of these on every call). The exposition is prom-client's: both metrics are
 * registered in the same Registry and read, like its own, when /metrics is scraped.
 * http-metrics.spec.ts checks the output against prom-client's Counter and Histogram fed the
 * same requests.
 */
export class HttpMetrics {
  private readonly byMethod = new Map<string, Map<string, RouteCounts>>();
  private readonly bounds: Float64Array;

  constructor(
    private readonly names: { requests: string; duration: string },
    private readonly help: { requests: string; duration: string },
    buckets: readonly number[],
  ) {
    this.bounds = Float64Array.from([...buckets].sort((a, b) => a - b));
  }

  record(method: string, route: string, status: number, seconds: number): void {
    let routes = this.byMethod.get(method);
    if (!routes) this.byMethod.set(method, (routes = new Map()));
    let c = routes.get(route);
    if (!c)
      routes.set(route, (c = { method, route, statuses: new Map(), buckets: new Float64Array(this.bounds.length + 1), sum: 0, count: 0 }));
    c.statuses.set(status, (c.statuses.get(status) ?? 0) + 1);
    const bounds = this.bounds;
    let b = 0;
    while (b < bounds.length && seconds > bounds[b]) b++;
    c.buckets[b]++;
    c.sum += seconds;
    c.count++;
  }

  /** The two metrics, in the shape prom-client's Registry registers and exposes. */
  metrics(): [CustomMetric, CustomMetric] {
    return [
      {
        name: this.names.requests,
        help: this.help.requests,
        type: 'counter',
        aggregator: 'sum',
        get: async () => this.requests(),
        reset: () => this.byMethod.clear(),
      },
      {
        name: this.names.duration,
        help: this.help.duration,
        type: 'histogram',
        aggregator: 'sum',
        get: async () => this.durations(),
        reset: () => this.byMethod.clear(),
      },
    ];
  }

  private *counts(): Generator<RouteCounts> {
    for (const routes of this.byMethod.values()) yield* routes.values();
  }

  private requests(): Exposed {
    const values: Sample[] = [];
    for (const c of this.counts()) {
      for (const [status, n] of c.statuses) values.push({ labels: { method: c.method, route: c.route, status: String(status) }, value: n });
    }
    return { name: this.names.requests, help: this.help.requests, type: 'counter', aggregator: 'sum', values };
  }

  private durations(): Exposed {
    const name = this.names.duration;
    const values: Sample[] = [];
    for (const c of this.counts()) {
      const labels: Labels = { method: c.method, route: c.route };
      let acc = 0;
      this.bounds.forEach((le, i) => {
        acc += c.buckets[i];
        values.push({ labels: { le, ...labels }, value: acc, metricName: `${name}_bucket` });
      });
      values.push({ labels: { le: '+Inf', ...labels }, value: c.count, metricName: `${name}_bucket` });
      values.push({ labels, value: c.sum, metricName: `${name}_sum` });
      values.push({ labels, value: c.count, metricName: `${name}_count` });
    }
    return { name, help: this.help.duration, type: 'histogram', aggregator: 'sum', values };
  }
}

/** What prom-client's Registry needs of a metric it exposes. */
export interface CustomMetric {
  name: string;
  help: string;
  type: 'counter' | 'histogram';
  aggregator: 'sum';
  get(): Promise<Exposed>;
  reset(): void;
}
