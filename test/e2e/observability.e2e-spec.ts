import { NotFoundException } from '@nestjs/common';
import { MetricsController } from '#observability/metrics.controller';
import { OPERATOR_TOKEN, createPrincipal, createTenant, startTestApp, type TestApp } from '../support/test-app.js';
import { capturedLog } from '../support/captured-log.js';

const METRICS_TOKEN = 'scrape-token-for-tests-0123456789';

function metricValue(text: string, name: string, labels: Record<string, string>): number {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const body = line.slice(name.length + 1, line.lastIndexOf('}'));
    const got = Object.fromEntries([...body.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => got[k] === v)) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return 0;
}

describe('observability', () => {
  let t: TestApp;
  const { logStream, lines } = capturedLog();
  beforeAll(async () => {
    t = await startTestApp({ metricsToken: METRICS_TOKEN, logLevel: 'info' }, { logStream });
  });
  afterAll(async () => {
    await t?.stop();
  });

  const scrape = async () => (await t.http.get('/metrics').set('authorization', `Bearer ${METRICS_TOKEN}`).expect(200)).text;

  it('/metrics is deny-by-default: 401 without or with a wrong token, 404 when no scrape token is configured', async () => {
    await t.http.get('/metrics').expect(401);
    await t.http.get('/metrics').set('authorization', `Bearer ${OPERATOR_TOKEN}`).expect(401);
    const off = new MetricsController({ ...t.config, metricsToken: undefined });
    await expect(off.metrics(`Bearer ${METRICS_TOKEN}`, {} as never)).rejects.toBeInstanceOf(NotFoundException);
  });

  it('/metrics counts requests by route template and status, latency, and audit appends', async () => {
    const before = await scrape();
    const tenantReads = { method: 'GET', route: '/v1/tenants/:tenant', status: '200' };
    const appends = { action: 'tenant.created' };
    await createTenant(t, 'metrics-a');
    await t.as(OPERATOR_TOKEN).get('/v1/tenants/metrics-a').expect(200);
    await t.as(OPERATOR_TOKEN).get('/v1/tenants/metrics-a').expect(200);
    await t.as(OPERATOR_TOKEN).get('/v1/tenants/nope').expect(404);
    const after = await scrape();
    expect(
      metricValue(after, 'cloison_http_requests_total', tenantReads) - metricValue(before, 'cloison_http_requests_total', tenantReads),
    ).toBe(2);
    expect(metricValue(after, 'cloison_http_requests_total', { ...tenantReads, status: '404' })).toBeGreaterThanOrEqual(1);
    expect(metricValue(after, 'cloison_audit_appends_total', appends) - metricValue(before, 'cloison_audit_appends_total', appends)).toBe(
      1,
    );
    expect(after).toMatch(/cloison_http_request_duration_seconds_bucket\{le="0.1",method="GET",route="\/v1\/tenants\/:tenant"\}/);
    expect(after).toContain('# TYPE cloison_audit_chain_verifications_total counter');
    expect(after).toContain('# TYPE cloison_cache_rebuilds_total counter');
    // Raw URLs never become labels.
    expect(after).not.toContain('route="/v1/tenants/metrics-a"');
  });

  it("logs one JSON object per line; request lines carry the request id the audit event stores, always the server's own", async () => {
    const clientRequestId = 'obs-test-request-1';
    const res = await t
      .as(OPERATOR_TOKEN)
      .post('/v1/tenants')
      .set('x-request-id', clientRequestId)
      .send({ slug: 'logged', name: 'Logged', riskLevel: 1 })
      .expect(201);
    const requestId = res.headers['x-request-id'];
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const mine = parsed.filter((l) => l.requestId === requestId);
    // One access line, at completion, naming the request and its answer.
    expect(mine.filter((l) => String(l.msg).startsWith('request') || l.msg === 'incoming request')).toEqual([
      expect.objectContaining({
        msg: 'request completed',
        req: expect.objectContaining({ method: 'POST', url: '/v1/tenants' }),
        res: expect.objectContaining({ statusCode: 201 }),
      }),
    ]);
    // The client's id is kept beside the server's, never in its place.
    expect(mine.every((l) => l.clientRequestId === clientRequestId)).toBe(true);
    expect(parsed.some((l) => l.requestId === clientRequestId)).toBe(false);
    // Nest's own lines are JSON too, with their context.
    expect(parsed.some((l) => typeof l.context === 'string' && typeof l.msg === 'string')).toBe(true);
    const audit = await t.as(OPERATOR_TOKEN).get('/v1/audit?action=tenant.created&tenant=logged').expect(200);
    expect(audit.body.items[0].requestId).toBe(requestId);
    // A client that names an id another request already has cannot take it over.
    const again = await t.as(OPERATOR_TOKEN).get('/v1/tenants/logged').set('x-request-id', String(requestId)).expect(200);
    expect(again.headers['x-request-id']).not.toBe(requestId);
    // A client id that could forge log fields is not kept.
    const odd = await t.as(OPERATOR_TOKEN).get('/v1/tenants/logged').set('x-request-id', 'a"b').expect(200);
    const oddLines = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.requestId === odd.headers['x-request-id']);
    expect(oddLines.length).toBeGreaterThan(0);
    expect(oddLines.every((l) => l.clientRequestId === undefined)).toBe(true);
  });

  it('evaluations are counted, not logged, at the default level; refused ones are logged', async () => {
    await createTenant(t, 'quiet-eval');
    const service = await createPrincipal(t, 'service', 'quiet-eval');
    const evaluations = { method: 'POST', route: '/ofrep/v1/evaluate/flags', status: '200' };
    const before = await scrape();
    const ok = await t.as(service).post('/ofrep/v1/evaluate/flags').send({ context: {} }).expect(200);
    const denied = await t.as('cln_not-a-token-of-anyone').post('/ofrep/v1/evaluate/flags').send({}).expect(401);
    const after = await scrape();
    expect(
      metricValue(after, 'cloison_http_requests_total', evaluations) - metricValue(before, 'cloison_http_requests_total', evaluations),
    ).toBe(1);
    const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    // The response's x-request-id is the server's own id, the one its log lines carry.
    expect(parsed.filter((l) => l.requestId === ok.headers['x-request-id'])).toEqual([]);
    const refused = parsed.filter((l) => l.requestId === denied.headers['x-request-id']);
    expect(refused).toEqual([expect.objectContaining({ msg: 'request completed', res: expect.objectContaining({ statusCode: 401 }) })]);
  });

  it('/ready answers 200 only while every migration on disk is applied', async () => {
    await t.http.get('/ready').expect(200, { status: 'ready' });
    const [row] = await t.superuser(
      async (c) => (await c.query('DELETE FROM "_prisma_migrations" WHERE migration_name LIKE $1 RETURNING *', ['%_operations'])).rows,
    );
    try {
      const res = await t.http.get('/ready').expect(503);
      expect(res.body.message).toMatch(/migrations pending: \d+_operations/);
      await t.http.get('/health').expect(200);
    } finally {
      await t.superuser((c) =>
        c.query('INSERT INTO "_prisma_migrations" SELECT * FROM json_populate_record(NULL::"_prisma_migrations", $1)', [
          JSON.stringify(row),
        ]),
      );
    }
    await t.http.get('/ready').expect(200);
  });
});
