import { Counter, Registry, collectDefaultMetrics } from 'prom-client';
import { HttpMetrics } from './http-metrics.js';

/** Upper bounds (seconds) of the HTTP request duration histogram. */
export const HTTP_DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5] as const;

/**
 * The process's Prometheus metrics. Other parts of the service increment the counters through
 * the small functions below, so the metric names and labels stay defined in one place.
 */
export const metricsRegistry = new Registry();
collectDefaultMetrics({ register: metricsRegistry, prefix: 'cloison_process_' });

/** Recorded for every request (see HttpMetrics: the evaluation hot path pays for it too). */
const httpMetrics = new HttpMetrics(
  { requests: 'cloison_http_requests_total', duration: 'cloison_http_request_duration_seconds' },
  {
    requests: 'HTTP requests answered, by method, route template and status code',
    duration: 'Time to answer HTTP requests, by method and route template',
  },
  HTTP_DURATION_BUCKETS,
);
for (const metric of httpMetrics.metrics()) metricsRegistry.registerMetric(metric as unknown as Parameters<Registry['registerMetric']>[0]);

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

const changeStatements = new Counter({
  name: 'cloison_option_change_statements_total',
  help: 'Statements that applied direct option changes, by kind (alone: one change; batch: several in one transaction; refused: a batch the database refused, whose changes were then sent alone)',
  labelNames: ['kind'] as const,
  registers: [metricsRegistry],
});

const changesBatched = new Counter({
  name: 'cloison_option_changes_batched_total',
  help: 'Direct option changes sent in a batch with others (changes per batch = this / batch statements)',
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

export function recordChangeStatement(kind: 'alone' | 'batch' | 'refused', changes = 1): void {
  changeStatements.inc({ kind });
  if (kind === 'batch') changesBatched.inc(changes);
}

export function recordChainVerification(result: 'ok' | 'broken'): void {
  chainVerifications.inc({ result });
}

export function recordCacheRebuild(cache: string, reason: string): void {
  cacheRebuilds.inc({ cache, reason });
}

export function recordHttpRequest(method: string, route: string, status: number, seconds: number): void {
  httpMetrics.record(method, route, status, seconds);
}
