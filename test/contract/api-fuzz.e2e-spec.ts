import { jest } from '@jest/globals';
import fc from 'fast-check';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { OpenApiDocument, OpenApiOperation } from '#http';
import { OPERATOR_TOKEN, OPERATOR_TOKEN_2, createPrincipal, createTenant, startTestApp, type TestApp } from '../support/test-app.js';
import { fuzzRuns } from '../support/fuzz-runs.js';

/**
 * Schema-driven fuzz of every operation in /openapi.json: real tokens of every role, real tenants,
 * keys and ids mixed with random ones, bodies built from the documented schema's property names.
 * Fails on any 5xx, any status the operation does not declare, and any body that does not
 * validate against the schema declared for its status. Seeded: a failure prints its seed.
 * FUZZ_RUNS sets the requests per operation (default 25, about a thousand in all; CI: 100).
 */
const RUNS = fuzzRuns(100);
const SEED = Number(process.env.FUZZ_SEED ?? 20261204);
// A limit for a hung run, not a speed check: two minutes per 25 requests per operation (CI asks for 100).
jest.setTimeout(120_000 * Math.max(1, RUNS / 25));
const HEX = '0123456789abcdef';

type Operation = { path: string; method: string; op: OpenApiOperation };

describe('API contract: every answer is declared and matches its schema', () => {
  let t: TestApp;
  let doc: OpenApiDocument;
  let tokens: (string | undefined)[];
  const ids: string[] = [];
  const failures: string[] = [];

  beforeAll(async () => {
    // Bogus and absent tokens are part of the fuzz: with the per-address limit on failed
    // authentications, every later request would be a 429 and no success body would be checked.
    t = await startTestApp({ authFailureMax: 0 });
    await createTenant(t, 'alpha');
    await createTenant(t, 'gamma', 3);
    tokens = [
      OPERATOR_TOKEN,
      OPERATOR_TOKEN_2,
      await createPrincipal(t, 'compliance'),
      await createPrincipal(t, 'client_admin', 'alpha'),
      await createPrincipal(t, 'client_admin', 'gamma'),
      await createPrincipal(t, 'service', 'alpha'),
      undefined,
      'cln_not-a-real-token',
    ];
    // Real ids: a pending change request (level 3 needs approval) and a proposed seal.
    const cr = await t.as(OPERATOR_TOKEN).put('/v1/tenants/gamma/options/revote').send({ value: true, reason: 'fuzz fixture' });
    if (cr.status === 202) ids.push(cr.body.id);
    const seal = await t.as(OPERATOR_TOKEN).post('/v1/tenants/alpha/seals').send({ label: 'fuzz seal' });
    if (seal.status === 201) ids.push(seal.body.id);
    doc = (await t.http.get('/openapi.json').expect(200)).body;
  });
  afterAll(async () => {
    await t?.stop();
  });

  function validators() {
    const ajv = new Ajv2020({ strict: false, allErrors: false });
    addFormats.default(ajv);
    ajv.addSchema({ $id: 'api', components: doc.components });
    const cache = new Map<string, ValidateFunction>();
    return (key: string, schema: object) => {
      let v = cache.get(key);
      if (!v) {
        v = ajv.compile(JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"api#/components/')) as object);
        cache.set(key, v);
      }
      return v;
    };
  }

  const response = (r: unknown): { content?: Record<string, { schema: object }> } => {
    const ref = (r as { $ref?: string }).$ref;
    return (ref ? (doc.components.responses as Record<string, unknown>)[ref.split('/').pop() as string] : r) as never;
  };

  function paramArbitrary(name: string): fc.Arbitrary<string> {
    const random = fc.string({ minLength: 1, maxLength: 12 }).map(encodeURIComponent);
    const uuid = fc
      .string({ unit: fc.constantFrom(...HEX), minLength: 32, maxLength: 32 })
      .map((h: string) => `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20)}`);
    const long = fc.constant('k'.repeat(101));
    const real: Record<string, string[]> = {
      tenant: ['alpha', 'gamma', 'no-such-tenant'],
      key: ['revote', 'ui_language', 'scrutineer_scope', 'audit_webhook_url', 'ballot_secrecy'],
      name: ['congress-level-3', 'nope'],
      id: ids.length ? ids : ['00000000-0000-4000-8000-000000000000'],
    };
    return fc.oneof(fc.constantFrom(...(real[name] ?? ['x'])), random, uuid, long, fc.constant('%zz'));
  }

  function bodyArbitrary(op: OpenApiOperation): fc.Arbitrary<unknown> {
    const schema = op.requestBody?.content['application/json'].schema as { properties?: Record<string, unknown> } | undefined;
    const names = Object.keys(schema?.properties ?? {});
    const value = fc.oneof(
      fc.constantFrom(
        'alpha',
        'gamma',
        'revote',
        'ui_language',
        'fuzzing a reason',
        'client_admin',
        'service',
        true,
        false,
        0,
        2,
        3,
        null,
        ['alpha', 'gamma'],
        { enabled: false },
      ),
      fc.jsonValue({ maxDepth: 2 }),
    );
    const shaped = names.length ? fc.dictionary(fc.constantFrom(...names), value, { maxKeys: names.length }) : fc.constant({});
    return fc.oneof({ weight: 4, arbitrary: shaped }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) });
  }

  it('answers every operation with a declared status and a body matching its schema', async () => {
    const validatorOf = validators();
    const operations: Operation[] = Object.entries(doc.paths).flatMap(([path, ms]) =>
      Object.entries(ms).map(([method, op]) => ({ path, method, op })),
    );
    expect(operations.length).toBeGreaterThan(30);
    let requests = 0;
    const succeeded = new Set<string>();
    for (const { path, method, op } of operations) {
      const names = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1] as string);
      const arbitrary = fc.record({
        params: fc.tuple(...names.map(paramArbitrary), fc.constant('')),
        token: fc.constantFrom(...tokens),
        body: bodyArbitrary(op),
        ifMatch: fc.constantFrom(undefined, '"0"', '"7"', '*', 'garbage'),
      });
      await fc.assert(
        fc.asyncProperty(arbitrary, async ({ params, token, body, ifMatch }) => {
          let i = 0;
          const url = path.replace(/\{[^}]+\}/g, () => params[i++] as string);
          let call = t.http[method as 'get'](url);
          if (token) call = call.set('authorization', `Bearer ${token}`);
          if (ifMatch && op.parameters.some((p) => p.name === 'if-match')) call = call.set('if-match', ifMatch);
          const res = await (op.requestBody || method === 'post'
            ? call.set('content-type', 'application/json').send(JSON.stringify(body))
            : call);
          requests++;
          if (res.status < 300) succeeded.add(`${method} ${path}`);
          const where = `${method.toUpperCase()} ${url} → ${res.status}`;
          const declared = op.responses[String(res.status)];
          if (res.status >= 500 || !declared)
            return void failures.push(`${where}: ${res.status >= 500 ? 'server error' : 'undeclared status'} ${res.text.slice(0, 200)}`);
          const content = response(declared).content;
          if (!content) return;
          const type = String(res.headers['content-type'] ?? '').split(';')[0] as string;
          const media = content[type];
          if (!media) return void failures.push(`${where}: undeclared content type ${type}`);
          if (type !== 'application/json') return;
          const validate = validatorOf(`${method} ${path} ${res.status}`, media.schema);
          if (!validate(res.body))
            failures.push(`${where}: body does not match: ${JSON.stringify(validate.errors?.slice(0, 2))} ${res.text.slice(0, 200)}`);
        }),
        { numRuns: RUNS, seed: SEED, endOnFailure: true },
      );
    }
    expect(requests).toBeGreaterThanOrEqual(operations.length * RUNS);
    expect([...new Set(failures)].slice(0, 30)).toEqual([]);
    // Success bodies were checked too, not only refusals.
    expect(succeeded.size).toBeGreaterThan(operations.length / 3);
  });
});
