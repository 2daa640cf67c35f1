import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The process's Prometheus metrics. Other parts of the service increment the counters through
 * the small functions below, so the metric names and labels stay defined in one place.
 */
export const metricsRegistry = new Registry();
collectDefaultMetrics({ register: metricsRegistry, prefix: 'cloison_process_' });

export const httpRequests = new Counter({
  name: 'cloison_http_requests_total',
  help: 'HTTP requests answered, by method, route template and status code',
  labelNames: ['method', 'route', 'status'] as const,
  registers: [metricsRegistry],
});

export const httpDuration = new Histogram({
  name: 'cloison_http_request_duration_seconds',
  help: 'Time to answer HTTP requests, by method and route template',
  labelNames: ['method', 'route'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  registers: [metricsRegistry],
});

const auditAppends = new Counter({
  name: 'cloison_audit_appends_total',
  help: 'Audit events written, by action (counted when written inside the transaction of the change)',
  labelNames: ['action'] as const,
  registers: [metricsRegistry],
});

const auditLinks = new Counter({
  name: 'cloison_audit_link_runs_total',
  help: 'Runs of the audit linker (one transaction each), by result (ok, failed)',
  labelNames: ['result'] as const,
  registers: [metricsRegistry],
});

const auditLinked = new Counter({
  name: 'cloison_audit_linked_total',
  help: 'Audit events linked into the global chain by the linker (events per run = this / runs)',
  registers: [metricsRegistry],
});

const chainVerifications = new Counter({
  name: 'cloison_audit_chain_verifications_total',
  help: 'Audit hash chain verifications, by result (ok, broken)',
  labelNames: ['result'] as const,
  registers: [metricsRegistry],
});

const cacheRebuilds = new Counter({
  name: 'cloison_cache_rebuilds_total',
  help: 'Rebuilds of in-memory caches, by cache and reason (e.g. boot, notify, ttl)',
  labelNames: ['cache', 'reason'] as const,
  registers: [metricsRegistry],
});

export function recordAuditAppend(action: string): void {
  auditAppends.inc({ action });
}

export function recordAuditLink(result: 'ok' | 'failed', linked = 0): void {
  auditLinks.inc({ result });
  if (linked > 0) auditLinked.inc(linked);
}

export function recordChainVerification(result: 'ok' | 'broken'): void {
  chainVerifications.inc({ result });
}

export function recordCacheRebuild(cache: string, reason: string): void {
  cacheRebuilds.inc({ cache, reason });
}

export function recordHttpRequest(method: string, route: string, status: number, seconds: number): void {
  httpRequests.inc({ method, route, status: String(status) });
  httpDuration.observe({ method, route }, seconds);
}
