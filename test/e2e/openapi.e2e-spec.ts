import { CONSOLE_PREFIX } from '#api/console/console.assets';
import { toOpenApiPath, type OpenApiDocument, type OpenApiOperation } from '#http';
import { OPERATOR_TOKEN, createTenant, startTestApp, type TestApp } from '../support/test-app.js';

const EXAMPLE_PARAMS: Record<string, string> = { tenant: 'alpha', key: 'revote', id: '00000000-0000-4000-8000-000000000000' };

function concrete(path: string): string {
  return path.replace(/\{([^}]+)\}/g, (_, name: string) => EXAMPLE_PARAMS[name] ?? 'x');
}

function operations(doc: OpenApiDocument): [string, string, OpenApiOperation][] {
  return Object.entries(doc.paths).flatMap(([p, ms]) =>
    Object.entries(ms).map(([m, op]) => [p, m, op] as [string, string, OpenApiOperation]),
  );
}

describe('OpenAPI document', () => {
  let t: TestApp;
  let doc: OpenApiDocument;
  beforeAll(async () => {
    t = await startTestApp();
    await createTenant(t, 'alpha');
    doc = (await t.http.get('/openapi.json').expect(200)).body;
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('is OpenAPI 3.1 and describes every route the server serves, and nothing else', () => {
    expect(doc.openapi).toBe('3.1.0');
    // The web console's pages and scripts are static files served beside the API, not operations of it.
    const served = t.routes
      .filter((r) => r.method !== 'HEAD' && r.method !== 'OPTIONS')
      .filter((r) => r.url !== CONSOLE_PREFIX.slice(0, -1) && !r.url.startsWith(CONSOLE_PREFIX))
      .map((r) => `${r.method.toLowerCase()} ${toOpenApiPath(r.url)}`)
      .sort();
    const documented = operations(doc)
      .map(([p, m]) => `${m} ${p}`)
      .sort();
    expect(served.length).toBeGreaterThan(10);
    expect(documented).toEqual(served);
  });

  it('states for every operation a policy or that it is public', () => {
    for (const [p, m, op] of operations(doc)) {
      const policy = op['x-cloison-policy'];
      if (policy === 'public') expect(op.security).toEqual([]);
      else expect({ route: `${m} ${p}`, action: policy.action }).not.toEqual({ route: `${m} ${p}`, action: 'none' });
    }
  });

  // The document's request schemas are checked against what the running routes actually reject.
  it('request bodies: the routes reject what the documented schema rejects, naming the same fields', async () => {
    const withBody = operations(doc).filter(([, , op]) => op.requestBody);
    expect(withBody.length).toBeGreaterThan(2);
    for (const [p, m, op] of withBody) {
      const schema = op.requestBody!.content['application/json'].schema as { required?: string[]; additionalProperties?: boolean };
      const call = t.as(OPERATOR_TOKEN)[m as 'post'](concrete(p));
      const empty = await call.send({});
      if (empty.status === 401 || empty.status === 403) continue; // the operator may not reach this route's pipe
      // A body whose every field is optional (an approval's signature) may be empty.
      const emptyAllowed = (schema.required ?? []).length === 0 && 'properties' in schema;
      if (!emptyAllowed) {
        expect({ route: `${m} ${p}`, status: empty.status }).toEqual({ route: `${m} ${p}`, status: 400 });
        const pointers = (empty.body.details as { pointer: string }[]).map((d) => d.pointer);
        for (const field of schema.required ?? []) expect(pointers).toContain(`/${field}`);
      }
      if (schema.additionalProperties === false) {
        const extra = await t.as(OPERATOR_TOKEN)[m as 'post'](concrete(p)).send({ undocumentedProbe: 1 });
        expect(extra.status).toBe(400);
        expect(extra.body.details).toEqual(
          expect.arrayContaining([expect.objectContaining({ pointer: '/undocumentedProbe', rule: 'additionalProperties' })]),
        );
      }
    }
  });

  it('query parameters: undocumented ones are refused, documented ones are checked by their schema', async () => {
    const withQuery = operations(doc).filter(([, , op]) => op.parameters.some((x) => x.in === 'query'));
    expect(withQuery.length).toBeGreaterThan(0);
    for (const [p, m, op] of withQuery) {
      const url = concrete(p);
      await t.as(OPERATOR_TOKEN)[m as 'get'](url).expect(200);
      const extra = await t.as(OPERATOR_TOKEN)[m as 'get'](`${url}?undocumentedProbe=1`);
      expect(extra.status).toBe(400);
      for (const param of op.parameters.filter((x) => x.in === 'query')) {
        const type = (param.schema as { type?: string }).type;
        if (type !== 'integer') continue;
        const bad = await t.as(OPERATOR_TOKEN)[m as 'get'](`${url}?${param.name}=not-a-number`);
        expect({ param: param.name, status: bad.status }).toEqual({ param: param.name, status: 400 });
      }
    }
  });

  it('serves a self-contained docs page listing every operation', async () => {
    const res = await t.http.get('/docs').expect(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.text).not.toMatch(/<script|https?:\/\/(?!json-schema)/);
    for (const [, , op] of operations(doc)) expect(res.text).toContain(`id="${op.operationId}"`);
  });
});
