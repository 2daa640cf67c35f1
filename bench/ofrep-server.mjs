// One server of the OFREP benchmark, in its own process so that the load generator does not
// share its event loop: `cloison` (production build from dist) or `bare` (Fastify alone).
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { PerformanceObserver, constants } from 'node:perf_hooks';
import Fastify from 'fastify';

let gcMs = 0;
new PerformanceObserver((list) => {
  // Collections the bench forces (memory readings between runs) are not the service's.
  for (const e of list.getEntries()) if (!(e.detail?.flags & constants.NODE_PERFORMANCE_GC_FLAGS_FORCED)) gcMs += e.duration;
}).observe({ entryTypes: ['gc'] });

const kind = process.argv[2];

async function startCloison() {
  const { createApp } = await import('#api/app.factory');
  const { loadConfig } = await import('#config');
  const { SnapshotCache } = await import('#evaluation');
  const { Authenticator } = await import('#identity');
  const { app } = await createApp(loadConfig());
  await app.listen({ port: 0, host: '127.0.0.1' });
  const cache = app.get(SnapshotCache);
  const principals = app.get(Authenticator).cache;
  process.on('message', async (msg) => {
    // A bare Fastify route inside this process (same heap, same runtime): the floor for any route here.
    if (msg?.bareInProcess !== undefined) process.send({ bareInProcess: await startBare(msg.bareInProcess) });
    if (msg === 'memory') {
      globalThis.gc?.();
      globalThis.gc?.();
      const m = process.memoryUsage();
      process.send({
        memory: {
          heapUsed: m.heapUsed,
          external: m.external,
          snapshots: cache.size,
          snapshotBytes: cache.approxBytes,
          builds: cache.builds,
          principalMisses: principals.misses,
          gcMs,
        },
      });
    }
  });
  return app.getHttpServer().address().port;
}

async function startBare(text = process.env.BENCH_BODY ?? '{}', headers = JSON.parse(process.env.BENCH_HEADERS ?? '{}')) {
  const body = JSON.parse(text);
  const app = Fastify({ logger: false });
  // A comparable endpoint: parse the JSON request, answer the same JSON document.
  // The same bytes, serialised once, as Cloison does: the baseline is the framework alone.
  const bytes = Buffer.from(JSON.stringify(body));
  const extra = Object.keys(headers).length > 0 ? headers : undefined;
  app.post('/ofrep/v1/evaluate/flags', async (req, reply) => {
    void req.body;
    // `bare-headers`: the headers a Cloison answer carries too (security headers, etag, request
    // id), set as any Fastify hook would: what writing them costs, apart from Cloison's checks.
    if (extra) reply.headers(extra);
    return reply.header('content-type', 'application/json; charset=utf-8').send(bytes);
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return app.server.address().port;
}

const port = kind === 'cloison' ? await startCloison() : await startBare();
process.send({ port });
process.on('disconnect', () => process.exit(0));
let profiler;
process.on('message', async (m) => {
  if (m === 'exit') process.exit(0);
  // CPU profile of the measured window only (boot, seeding and cold builds left out).
  if (m?.profileStart) {
    profiler = new Session();
    profiler.connect();
    await profiler.post('Profiler.enable');
    await profiler.post('Profiler.start');
    process.send({ profiling: true });
  } else if (m?.profileStop && profiler) {
    const { profile } = await profiler.post('Profiler.stop');
    const file = join(m.profileStop, `ofrep-${kind}-${process.pid}.cpuprofile`);
    writeFileSync(file, JSON.stringify(profile));
    profiler.disconnect();
    profiler = undefined;
    process.send({ profiled: file });
  }
  // CPU time this process spent (user + system, µs): divided by the requests served, a cost per
  // request that a machine busy with other work disturbs less than req/s.
  if (m === 'cpu') {
    const { user, system } = process.cpuUsage();
    process.send({ cpu: { us: user + system, systemUs: system, gcMs } });
  }
});
