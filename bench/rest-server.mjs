// One server of the REST benchmark, in its own process so that the load generator does not share
// its event loop: `cloison` (production build from dist, default settings unless the bench says
// otherwise) or `bare` (Fastify alone, answering the same bytes as Cloison did).
import { randomUUID } from 'node:crypto';
import Fastify from 'fastify';

const kind = process.argv[2];

async function startCloison() {
  const { createApp } = await import('#api/app.factory');
  const { loadConfig } = await import('#config');
  const { OptionsService } = await import('#options');
  const { defineAbilityFor } = await import('#policy');
  const { app } = await createApp(loadConfig());
  await app.listen({ port: 0, host: '127.0.0.1' });
  const options = app.get(OptionsService);
  // The in-process figure: OptionsService.set called as the controller calls it, after the guard
  // (no HTTP, no authentication, no tenant lookup), as `npm run bench:audit` measures it.
  process.on('message', async (m) => {
    if (!m?.inProcess) return;
    const { tenants, seconds, salt, key } = m.inProcess;
    const principal = { id: randomUUID(), name: 'bench in-process operator', role: 'operator', tenantId: null, tenantSlug: null };
    const base = { requestId: 'bench', principal, ability: defineAbilityFor(principal) };
    const until = Date.now() + seconds * 1000;
    let done = 0;
    const t0 = performance.now();
    await Promise.all(
      tenants.map(async (tenant, w) => {
        const ctx = { ...base, requestId: `bench-${w}`, tenant };
        for (let n = 0; Date.now() < until; n++) {
          await options.set(ctx, key, { value: 30 + ((salt + n) % 3000), reason: 'bench' }, undefined);
          done++;
        }
      }),
    );
    process.send({ inProcessDone: { done, seconds: (performance.now() - t0) / 1000 } });
  });
  return app.getHttpServer().address().port;
}

async function startBare() {
  const getBytes = Buffer.from(process.env.BENCH_GET_BODY ?? '{}');
  const putBytes = Buffer.from(process.env.BENCH_PUT_BODY ?? '{}');
  const app = Fastify({ logger: false });
  // Comparable endpoints: route parameters, a parsed JSON body for PUT, the bytes Cloison answered.
  app.get('/v1/tenants/:tenant/options/:key', async (req, reply) => {
    void req.params;
    return reply.header('content-type', 'application/json; charset=utf-8').send(getBytes);
  });
  app.put('/v1/tenants/:tenant/options/:key', async (req, reply) => {
    void req.body;
    return reply.header('content-type', 'application/json; charset=utf-8').send(putBytes);
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return app.server.address().port;
}

const port = kind === 'bare' ? await startBare() : await startCloison();
process.send({ port });
process.on('disconnect', () => process.exit(0));
process.on('message', (m) => {
  if (m === 'exit') process.exit(0);
  // CPU time this process spent (user + system, µs): per request served, a cost that other work on
  // the machine disturbs less than req/s.
  if (m === 'cpu') {
    const { user, system } = process.cpuUsage();
    process.send({ cpu: { us: user + system } });
  }
});
