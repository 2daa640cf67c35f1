import { Counter, Histogram, Registry } from 'prom-client';
import { HttpMetrics } from './http-metrics.js';
import { HTTP_DURATION_BUCKETS } from './metrics.registry.js';

const NAMES = { requests: 'x_http_requests_total', duration: 'x_http_request_duration_seconds' };
const HELP = { requests: 'requests', duration: 'duration' };

/** The same requests recorded by HttpMetrics and by prom-client's own Counter and Histogram. */
function both(requests: [string, string, number, number][]) {
  const fast = new Registry();
  const metrics = new HttpMetrics(NAMES, HELP, HTTP_DURATION_BUCKETS);
  for (const m of metrics.metrics()) fast.registerMetric(m as unknown as Parameters<Registry['registerMetric']>[0]);
  const reference = new Registry();
  const counter = new Counter({
    name: NAMES.requests,
    help: HELP.requests,
    labelNames: ['method', 'route', 'status'],
    registers: [reference],
  });
  const histogram = new Histogram({
    name: NAMES.duration,
    help: HELP.duration,
    labelNames: ['method', 'route'],
    buckets: [...HTTP_DURATION_BUCKETS],
    registers: [reference],
  });
  for (const [method, route, status, seconds] of requests) {
    metrics.record(method, route, status, seconds);
    counter.inc({ method, route, status: String(status) });
    histogram.observe({ method, route }, seconds);
  }
  return { fast, reference };
}

const sortedLines = (text: string) => text.split('\n').sort();

describe('HttpMetrics', () => {
  it('exposes what prom-client Counter and Histogram expose for the same requests', async () => {
    const routes = ['/ofrep/v1/evaluate/flags', '/v1/tenants/:tenant', 'unmatched'];
    const requests: [string, string, number, number][] = [];
    // Durations on, between and beyond the bucket bounds, for several statuses and methods.
    const durations = [0, 0.001, 0.005, 0.0050001, 0.01, 0.07, 0.25, 0.3, 1, 4.99, 5, 7.5, 120];
    durations.forEach((d, i) => {
      for (const route of routes) requests.push([i % 2 ? 'GET' : 'POST', route, [200, 304, 401, 404, 429, 500][i % 6], d]);
    });
    const { fast, reference } = both(requests);
    const [a, b] = [await fast.metrics(), await reference.metrics()];
    expect(sortedLines(a)).toEqual(sortedLines(b));
    expect(a).toContain('x_http_request_duration_seconds_bucket{le="0.005",method="POST",route="/ofrep/v1/evaluate/flags"} 2');
    expect(await fast.getMetricsAsJSON()).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: NAMES.requests, type: 'counter' })]),
    );
  });

  it('exposes nothing per route before a request, and starts again after a reset', async () => {
    const { fast, reference } = both([]);
    expect(sortedLines(await fast.metrics())).toEqual(sortedLines(await reference.metrics()));
    const m = both([['GET', '/health', 200, 0.001]]);
    m.fast.resetMetrics();
    m.reference.resetMetrics();
    expect(sortedLines(await m.fast.metrics())).toEqual(sortedLines(await m.reference.metrics()));
  });
});
