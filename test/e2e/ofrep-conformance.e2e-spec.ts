import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { OPERATOR_TOKEN, createPrincipal, createTenant, startTestApp, type TestApp } from '../support/test-app.js';

const BULK = '/ofrep/v1/evaluate/flags';
const one = (key: string) => `/ofrep/v1/evaluate/flags/${key}`;

// The answer shapes of the official OFREP OpenAPI document (source, commit and licence in the folder's README).
const OFFICIAL = JSON.parse(readFileSync(new URL('../fixtures/ofrep/ofrep-answers.schema.json', import.meta.url), 'utf8')) as {
  components: { schemas: Record<string, { allOf?: Record<string, unknown>[] }> };
};

/**
 * The document's schemas under `#/components/schemas/`. With `literal: false` the value types of
 * `evaluationSuccess` are applied as `anyOf`: read literally, `oneOf` rejects the document's own
 * examples (an integer value such as 3 matches both integerFlag and floatFlag), while its prose
 * means "the value is one of these types".
 */
function officialValidator(literal: boolean) {
  const schemas = structuredClone(OFFICIAL.components.schemas);
  if (!literal) {
    const valueTypes = schemas.evaluationSuccess?.allOf?.[1] as { oneOf?: unknown[]; anyOf?: unknown[] };
    valueTypes.anyOf = valueTypes.oneOf;
    delete valueTypes.oneOf;
  }
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  ajv.addSchema({ $id: 'ofrep', components: { schemas } });
  return (name: string, body: unknown) => {
    const validate = ajv.getSchema(`ofrep#/components/schemas/${name}`);
    if (!validate) throw new Error(`no schema ${name}`);
    return validate(body) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
  };
}

describe('OFREP answers conform to the official OFREP document', () => {
  const check = officialValidator(false);
  let t: TestApp;
  let service: string;

  beforeAll(async () => {
    t = await startTestApp();
    await createTenant(t, 'alpha');
    service = await createPrincipal(t, 'service', 'alpha');
    const set = (key: string, value: unknown) =>
      t.as(OPERATOR_TOKEN).put(`/v1/tenants/alpha/options/${key}`).send({ value, reason: 'conformance test' }).expect(200);
    await set('admin_ip_allowlist', ['203.0.113.0/24', '2001:db8::1']);
    await set('retention_days', 400);
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('reads the value types as anyOf because the literal oneOf rejects plain integer answers', () => {
    const literal = officialValidator(true);
    const integerAnswer = { key: 'retention_days', value: 3, reason: 'STATIC' };
    expect(literal('evaluationSuccess', integerAnswer)).not.toEqual([]);
    expect(check('evaluationSuccess', integerAnswer)).toEqual([]);
    expect(check('evaluationSuccess', { key: 'x', value: ['a'] })).not.toEqual([]);
    expect(check('evaluationSuccess', { key: 'x', value: null })).not.toEqual([]);
  });

  it('bulk: every item is an evaluation success or failure; arrays are objects, null has no value', async () => {
    const res = await t.as(service).post(BULK).send({}).expect(200);
    expect(check('bulkEvaluationSuccess', res.body)).toEqual([]);
    const flags = res.body.flags as { key: string; value?: unknown; errorCode?: string }[];
    const byKey = new Map(flags.map((f) => [f.key, f]));
    expect(byKey.get('admin_ip_allowlist')?.value).toEqual({ items: ['203.0.113.0/24', '2001:db8::1'] });
    expect(byKey.get('scrutineer_scope')?.value).toEqual({ items: ['turnout', 'event_log'] });
    expect(byKey.get('audit_webhook_url')).toMatchObject({ errorCode: 'GENERAL' });
    expect(byKey.get('audit_webhook_url')).not.toHaveProperty('value');
    for (const f of flags)
      expect({ key: f.key, errors: check(f.errorCode ? 'evaluationFailure' : 'evaluationSuccess', f) }).toEqual({ key: f.key, errors: [] });
    const again = await t.as(service).post(BULK).set('if-none-match', String(res.headers.etag)).send({});
    expect(again.status).toBe(304);
  });

  it('single flag: 200 serverEvaluationSuccess for every option with a value, 400 evaluationFailure without', async () => {
    const catalog = (await t.as(service).get('/v1/registry').expect(200)).body as { key: string }[];
    for (const { key } of catalog) {
      const res = await t
        .as(service)
        .post(one(key))
        .send({ context: { targetingKey: 'voter-1' } });
      const schema = res.status === 200 ? 'serverEvaluationSuccess' : 'evaluationFailure';
      expect({ key, status: res.status, errors: check(schema, res.body) }).toEqual({
        key,
        status: key === 'audit_webhook_url' ? 400 : 200,
        errors: [],
      });
    }
  });

  it('errors: unknown and over-long keys are FLAG_NOT_FOUND, bad requests are evaluation failures', async () => {
    for (const key of ['no_such_option', 'k'.repeat(101), 'k'.repeat(5000)]) {
      const res = await t.as(service).post(one(key)).send({});
      expect({ status: res.status, type: res.headers['content-type'] }).toEqual({
        status: 404,
        type: expect.stringMatching(/^application\/json/),
      });
      expect(res.body).toMatchObject({ key, errorCode: 'FLAG_NOT_FOUND' });
      expect(check('flagNotFound', res.body)).toEqual([]);
    }
    const badSingle = await t.as(service).post(one('revote')).send({ context: 'nope' }).expect(400);
    expect(check('evaluationFailure', badSingle.body)).toEqual([]);
    const badBulk = await t
      .as(service)
      .post(BULK)
      .send({ context: { tenant: 'beta' } })
      .expect(400);
    expect(check('bulkEvaluationFailure', badBulk.body)).toEqual([]);
  });
});
