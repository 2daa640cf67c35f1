import { OPERATOR_TOKEN, createPrincipal, createTenant, startTestApp, type TestApp } from '../support/test-app.js';
import { BAD_REQUESTS, type BadRequest } from './corpus.js';

/** Answers about the request's own content: they say which part of it is wrong, and by which rule. */
const NAMES_THE_FIELD = new Set([400, 409, 413, 415, 422]);

/** What is missing from an answer's `details` for the caller to find the field and the rule, if anything. */
function detailProblem(details: unknown): string | undefined {
  if (!Array.isArray(details) || details.length === 0) return 'no details naming the field and the rule';
  for (const d of details as { pointer?: unknown; rule?: unknown; message?: unknown }[]) {
    if (typeof d?.pointer !== 'string' || typeof d.rule !== 'string' || typeof d.message !== 'string')
      return 'a detail without pointer, rule or message';
    // The branches of if/then/else say what is wrong; "must match the then schema" names neither field nor rule.
    if (d.rule === 'if') return 'a detail that names the schema branch instead of the field';
    if (d.rule === 'not' && d.pointer === '/') return 'a detail that names no field';
  }
  return undefined;
}

/**
 * Every malformed request is refused with a 4xx and the JSON error body, never a 5xx, never a
 * stack trace or SQL, and the database is exactly as before.
 */
describe('bad input', () => {
  let t: TestApp;
  const tokens: Record<string, string> = { operator: OPERATOR_TOKEN };

  beforeAll(async () => {
    t = await startTestApp();
    await createTenant(t, 'alpha');
    await createTenant(t, 'beta');
    tokens.admin = await createPrincipal(t, 'client_admin', 'alpha');
    tokens.service = await createPrincipal(t, 'service', 'alpha');
  });
  afterAll(async () => {
    await t?.stop();
  });

  function send(c: BadRequest) {
    let req = t.http[c.method](c.path);
    const authorization = c.authorization ?? (c.who === 'none' ? undefined : `Bearer ${tokens[c.who]}`);
    if (authorization !== undefined) req = req.set('authorization', authorization);
    for (const [k, v] of Object.entries(c.headers ?? {})) req = req.set(k, v);
    if (c.contentType) req = req.set('content-type', c.contentType);
    if (c.body === null || typeof c.body === 'number' || typeof c.body === 'boolean') {
      // JSON scalars: sent as text, since supertest serialises only objects.
      req = req.set('content-type', c.contentType || 'application/json').send(JSON.stringify(c.body));
    } else if (c.body !== undefined) req = req.send(c.body as object);
    return req;
  }

  it(`refuses ${BAD_REQUESTS.length} malformed requests with a 4xx JSON error and changes nothing`, async () => {
    expect(BAD_REQUESTS.length).toBeGreaterThanOrEqual(400);
    const before = await t.snapshot();
    const wrong: string[] = [];
    const statuses: Record<number, number> = {};
    for (const c of BAD_REQUESTS) {
      const res = await send(c);
      statuses[res.status] = (statuses[res.status] ?? 0) + 1;
      const body = res.body as { statusCode?: number; error?: string; message?: string };
      const problem =
        res.status < 400 || res.status >= 500
          ? `status ${res.status}`
          : !String(res.headers['content-type']).startsWith('application/json')
            ? `content-type ${res.headers['content-type']}`
            : body.statusCode !== res.status || typeof body.error !== 'string' || typeof body.message !== 'string'
              ? 'no JSON error body'
              : /\bat .+:\d+:\d+|prisma|SELECT |INSERT |postgres|node_modules/i.test(res.text)
                ? 'error body reveals internals'
                : undefined;
      if (problem) wrong.push(`${c.name}: ${problem} ${res.text.slice(0, 200)}`);
      else if (NAMES_THE_FIELD.has(res.status)) {
        const unnamed = detailProblem((res.body as { details?: unknown }).details);
        if (unnamed) wrong.push(`${c.name}: ${unnamed} ${res.text.slice(0, 200)}`);
      }
    }
    process.stdout.write(`bad input: ${BAD_REQUESTS.length} requests, statuses ${JSON.stringify(statuses)}\n`);
    expect(wrong).toEqual([]);
    expect(await t.snapshot()).toEqual(before);
  });

  it.each([
    ['POST principal: compliance with tenant', [{ pointer: '/tenant', rule: 'not' }]],
    ['POST principal: service without tenant', [{ pointer: '/tenant', rule: 'required' }]],
    ['POST principal: operator with tenant', [{ pointer: '/tenant', rule: 'not' }]],
    ['PUT option raw: truncated JSON', [{ pointer: '/', rule: 'json' }]],
    ['PUT option: __proto__ key in body', [{ pointer: '/', rule: 'json' }]],
    ['PUT option raw: empty JSON body', [{ pointer: '/', rule: 'required' }]],
    ['POST tenant raw: xml', [{ pointer: 'header:content-type', rule: 'enum' }]],
    ['POST tenant raw: form encoded', [{ pointer: 'header:content-type', rule: 'enum' }]],
    ['PUT option raw: text/plain', [{ pointer: 'header:content-type', rule: 'enum' }]],
    ['POST tenant raw: body over the limit', [{ pointer: '/', rule: 'bodyLimit' }]],
    ['POST tenant: duplicate slug', [{ pointer: '/slug', rule: 'unique' }]],
    ['path /v1/tenants/alpha/options/%ZZ as operator', [{ pointer: 'path', rule: 'percent-encoding' }]],
  ])('%s: names the field and the rule', async (name, expected) => {
    const c = BAD_REQUESTS.find((r) => r.name === name);
    if (!c) throw new Error(`no corpus request named ${name}`);
    const res = await send(c);
    const details = (res.body as { details?: { pointer: string; rule: string }[] }).details ?? [];
    expect(details.map(({ pointer, rule }) => ({ pointer, rule }))).toEqual(expected);
  });
});
