import { encodingCases } from './corpus.encoding.js';

/**
 * Malformed requests, each of which must be refused with a 4xx and a JSON error body, and
 * none of which may change anything. Built from small lists so a new route adds a few lines.
 */
export type Who = 'operator' | 'admin' | 'service' | 'none';

export interface BadRequest {
  name: string;
  method: 'get' | 'post' | 'put' | 'delete' | 'patch';
  path: string;
  who: Who;
  /** Authorization header sent as is, instead of `who`'s token. */
  authorization?: string;
  contentType?: string;
  /** Objects are sent as JSON; strings and buffers as raw bytes. */
  body?: unknown;
  headers?: Record<string, string>;
}

const OWN = 'alpha';
const FOREIGN = 'beta';
const OPTION = `/v1/tenants/${OWN}/options/revote`;
const REASON = 'bad input corpus';

const deep = (levels: number, leaf: unknown = true): unknown => {
  let v = leaf;
  for (let i = 0; i < levels; i++) v = { a: v };
  return v;
};
const deepArrayText = (levels: number) => '['.repeat(levels) + ']'.repeat(levels);

/** Values no option accepts for `revote` (a boolean), or that no schema lets through. */
const BAD_VALUES: [string, unknown][] = [
  ['string "true"', 'true'],
  ['number 1', 1],
  ['null', null],
  ['array', [true]],
  ['object', { value: true }],
  ['__proto__ object', JSON.parse('{"__proto__": {"isAdmin": true}}')],
  ['constructor object', { constructor: { prototype: { polluted: true } } }],
  ['prototype key', { prototype: true }],
  ['deep nesting 40', deep(40)],
  ['deep nesting 2000', deep(2000)],
  ['NUL string', 'tr\u0000ue'],
  ['SQL injection', "true'); DELETE FROM option_values; --"],
  ['JSON injection', '{"value": true, "tenantId": "beta"}'],
  ['huge number', 1e308],
  ['negative zero', -0],
  ['emoji', '✅'],
  ['lone surrogate', '\ud800'],
  ['big string', 'x'.repeat(100_000)],
];

/** Bodies that break the request schema of PUT /options/:key. */
const BAD_PUT_BODIES: [string, unknown][] = [
  ...BAD_VALUES.map(([n, v]): [string, unknown] => [`value ${n}`, { value: v, reason: REASON }]),
  ['no value', { reason: REASON }],
  ['no reason', { value: true }],
  ['empty reason', { value: true, reason: '' }],
  ['blank reason', { value: true, reason: '    ' }],
  ['short reason', { value: true, reason: 'ab' }],
  ['numeric reason', { value: true, reason: 123 }],
  ['array reason', { value: true, reason: [REASON] }],
  ['reason too long', { value: true, reason: 'r'.repeat(1001) }],
  ['NUL in reason', { value: true, reason: 'because\u0000' }],
  ['unknown field', { value: true, reason: REASON, force: true }],
  ['tenant in body', { value: true, reason: REASON, tenant: FOREIGN }],
  ['tenantId in body', { value: true, reason: REASON, tenantId: '00000000-0000-0000-0000-000000000000' }],
  ['version in body', { value: true, reason: REASON, version: 99 }],
  ['__proto__ key in body', JSON.parse(`{"value": true, "reason": "${REASON}", "__proto__": {"admin": true}}`)],
  ['constructor key in body', { value: true, reason: REASON, constructor: { name: 'x' } }],
  ['body is array', [{ value: true, reason: REASON }]],
  ['body is string', 'value=true'],
  ['body is number', 42],
  ['body is null', null],
  ['empty object', {}],
];

/** Raw payloads that are not JSON a schema could even look at. */
const RAW_BODIES: [string, string | Buffer, string][] = [
  ['truncated JSON', '{"value": "not-a-boolean", "reason": "x', 'application/json'],
  ['trailing garbage', `{"value": "not-a-boolean", "reason": "${REASON}"} trailing`, 'application/json'],
  ['single quotes', "{'value': true}", 'application/json'],
  ['NaN literal', '{"value": NaN, "reason": "bad input corpus"}', 'application/json'],
  ['comment', '{"value": "not-a-boolean" /* hi */, "reason": "bad input corpus"}', 'application/json'],
  [
    'invalid UTF-8',
    Buffer.concat([Buffer.from('{"value": "not-a-boolean", "reason": "'), Buffer.from([0xff, 0xfe, 0xc3, 0x28]), Buffer.from('"}')]),
    'application/json',
  ],
  [
    'overlong UTF-8',
    Buffer.concat([Buffer.from('{"value": "'), Buffer.from([0xc0, 0xaf]), Buffer.from('", "reason": "bad input corpus"}')]),
    'application/json',
  ],
  ['UTF-16 body', Buffer.from(`{"value": "not-a-boolean", "reason": "${REASON}"}`, 'utf16le'), 'application/json'],
  ['escaped NUL', `{"value": "a\\u0000b", "reason": "${REASON}"}`, 'application/json'],
  ['escaped lone surrogate', `{"value": "\\ud800", "reason": "${REASON}"}`, 'application/json'],
  ['duplicate keys', `{"value": "not-a-boolean", "reason": "${REASON}", "value": "x"}`, 'application/json'],
  ['deep arrays 5000', deepArrayText(5000), 'application/json'],
  ['deep arrays 100000', deepArrayText(100_000), 'application/json'],
  ['empty JSON body', '', 'application/json'],
  ['whitespace body', '   ', 'application/json'],
  ['text/plain', `{"value": "not-a-boolean", "reason": "${REASON}"}`, 'text/plain'],
  ['form encoded', 'value=nope&reason=bad+input+corpus', 'application/x-www-form-urlencoded'],
  ['multipart', '--x\r\nContent-Disposition: form-data; name="value"\r\n\r\ntrue\r\n--x--', 'multipart/form-data; boundary=x'],
  ['xml', '<value>true</value>', 'application/xml'],
  ['octet-stream', 'true', 'application/octet-stream'],
  ['json with charset latin1', `{"value": "not-a-boolean", "reason": "${REASON}"}`, 'application/json; charset=latin1'],
  ['vendor json', `{"value": "not-a-boolean", "reason": "${REASON}"}`, 'application/vnd.evil+json'],
  ['no content type', `{"value": "not-a-boolean", "reason": "${REASON}"}`, ''],
  ['body over the limit', `{"value": "not-a-boolean", "reason": "${'x'.repeat(300 * 1024)}"}`, 'application/json'],
];

const BAD_TENANT_BODIES: [string, unknown][] = [
  ['missing slug', { name: 'X', riskLevel: 1 }],
  ['uppercase slug', { slug: 'Gamma', name: 'X', riskLevel: 1 }],
  ['slug with slash', { slug: 'a/b', name: 'X', riskLevel: 1 }],
  ['traversal slug', { slug: '../alpha', name: 'X', riskLevel: 1 }],
  ['slug 64 chars', { slug: 'a'.repeat(64), name: 'X', riskLevel: 1 }],
  ['slug trailing dash', { slug: 'gamma-', name: 'X', riskLevel: 1 }],
  ['slug SQL', { slug: "x'; DROP TABLE tenants; --", name: 'X', riskLevel: 1 }],
  ['slug number', { slug: 42, name: 'X', riskLevel: 1 }],
  ['slug NUL', { slug: 'gam\u0000ma', name: 'X', riskLevel: 1 }],
  ['slug unicode', { slug: 'gämma', name: 'X', riskLevel: 1 }],
  ['duplicate slug', { slug: OWN, name: 'X', riskLevel: 1 }],
  ['empty name', { slug: 'gamma', name: '', riskLevel: 1 }],
  ['blank name', { slug: 'gamma', name: '   ', riskLevel: 1 }],
  ['name too long', { slug: 'gamma', name: 'n'.repeat(201), riskLevel: 1 }],
  ['NUL name', { slug: 'gamma', name: 'Gam\u0000ma', riskLevel: 1 }],
  ['risk 0', { slug: 'gamma', name: 'X', riskLevel: 0 }],
  ['risk 4', { slug: 'gamma', name: 'X', riskLevel: 4 }],
  ['risk 1.5', { slug: 'gamma', name: 'X', riskLevel: 1.5 }],
  ['risk string', { slug: 'gamma', name: 'X', riskLevel: '2' }],
  ['risk huge', { slug: 'gamma', name: 'X', riskLevel: 1e300 }],
  ['risk negative', { slug: 'gamma', name: 'X', riskLevel: -1 }],
  ['risk null', { slug: 'gamma', name: 'X', riskLevel: null }],
  ['id supplied', { slug: 'gamma', name: 'X', riskLevel: 1, id: '00000000-0000-0000-0000-000000000000' }],
  ['__proto__ key', JSON.parse('{"slug": "gamma", "name": "X", "riskLevel": 1, "__proto__": {"riskLevel": 3}}')],
  ['constructor key', { slug: 'gamma', name: 'X', riskLevel: 1, constructor: {} }],
  ['array body', [{ slug: 'gamma', name: 'X', riskLevel: 1 }]],
  ['deep body', deep(100)],
];

const BAD_PRINCIPAL_BODIES: [string, unknown][] = [
  ['unknown role', { name: 'p', role: 'root' }],
  ['role case', { name: 'p', role: 'Operator' }],
  ['role array', { name: 'p', role: ['operator'] }],
  ['admin without tenant', { name: 'p', role: 'client_admin' }],
  ['service without tenant', { name: 'p', role: 'service' }],
  ['operator with tenant', { name: 'p', role: 'operator', tenant: OWN }],
  ['compliance with tenant', { name: 'p', role: 'compliance', tenant: OWN }],
  ['missing tenant', { name: 'p', role: 'client_admin', tenant: 'no-such-tenant' }],
  ['traversal tenant', { name: 'p', role: 'client_admin', tenant: '../beta' }],
  ['tenant id instead of slug', { name: 'p', role: 'service', tenant: '00000000-0000-0000-0000-000000000000' }],
  ['empty name', { name: '', role: 'operator' }],
  ['NUL name', { name: 'p\u0000', role: 'operator' }],
  ['token supplied', { name: 'p', role: 'operator', token: 'cln_chosen-token-value' }],
  ['tokenHash supplied', { name: 'p', role: 'operator', tokenHash: 'ab'.repeat(32) }],
  ['oidc empty subject', { name: 'p', role: 'operator', oidc: { subject: '' } }],
  ['oidc subject array', { name: 'p', role: 'operator', oidc: { subject: ['ada'] } }],
  ['oidc subject too long', { name: 'p', role: 'operator', oidc: { subject: 'x'.repeat(256) } }],
  ['oidc subject with NUL', { name: 'p', role: 'operator', oidc: { subject: 'ada\u0000' } }],
  ['oidc issuer supplied', { name: 'p', role: 'operator', oidc: { subject: 'ada', issuer: 'https://evil.example.org' } }],
  ['oidc without a configured issuer', { name: 'p', role: 'operator', oidc: { subject: 'ada' } }],
  ['__proto__ key', JSON.parse('{"name": "p", "role": "service", "__proto__": {"role": "operator"}}')],
  ['no body', undefined],
];

const BAD_AUDIT_QUERIES = [
  'limit=0',
  'limit=501',
  'limit=-1',
  'limit=abc',
  'limit=1e3',
  'limit=2.5',
  'cursor=abc',
  'cursor=-1',
  'cursor=1234567890123456789012',
  'cursor=1%27%20OR%201%3D1',
  'from=yesterday',
  'to=2026-13-45T00:00:00Z',
  'from=%00',
  'option=%00',
  'option=revote%27%20OR%20%271%27%3D%271',
  `option=${'o'.repeat(100)}`,
  `actor=${'a'.repeat(100)}`,
  'action=%27%3B%20DROP%20TABLE%20audit_events%3B--',
  'unknown=1',
  '__proto__[limit]=1',
  'constructor=x',
];

const TOKENS: [string, string | undefined][] = [
  ['no header', undefined],
  ['empty bearer', 'Bearer '],
  ['bearer only', 'Bearer'],
  ['basic scheme', `Basic ${Buffer.from('operator:password').toString('base64')}`],
  ['short token', 'Bearer abc'],
  ['unknown token', 'Bearer cln_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'],
  ['token with space', 'Bearer cln_test bootstrap'],
  ['two tokens', 'Bearer cln_test-bootstrap-operator-token cln_test-bootstrap-operator-token'],
  ['token with NUL', 'Bearer cln_test-bootstrap-operator-token%00'],
  ['overlong token', `Bearer cln_${'a'.repeat(5000)}`],
  ['SQL token', "Bearer ' OR '1'='1' --xxxxxxxx"],
  ['hash of a token', `Bearer ${'a'.repeat(64)}`],
  ['prefix of the operator token', 'Bearer cln_test-bootstrap-operator'],
  ['operator token uppercased', 'Bearer CLN_TEST-BOOTSTRAP-OPERATOR-TOKEN'],
];

const TRAVERSAL_PATHS: [string, Who][] = [
  ['/v1/tenants/..%2Fbeta/options', 'admin'],
  ['/v1/tenants/%2e%2e/options', 'admin'],
  ['/v1/tenants/alpha%2F..%2Fbeta/options', 'admin'],
  ['/v1/tenants/beta/options', 'admin'],
  ['/v1/tenants/beta/options/revote', 'admin'],
  ['/v1/tenants/beta/audit', 'admin'],
  ['/v1/tenants/beta', 'admin'],
  ['/v1/tenants/BETA/options', 'operator'],
  ['/v1/tenants/beta%00/options', 'operator'],
  ['/v1/tenants/%27%20OR%201%3D1--/options', 'operator'],
  [`/v1/tenants/${'a'.repeat(300)}/options`, 'operator'],
  ['/v1/tenants/alpha/options/..%2F..%2Fetc%2Fpasswd', 'operator'],
  ['/v1/tenants/alpha/options/revote%00', 'operator'],
  ['/v1/tenants/alpha/options/%2e%2e', 'operator'],
  ['/v1/tenants/alpha/options/REVOTE', 'operator'],
  ['/v1/tenants/alpha/options/revote%27%20OR%201%3D1', 'operator'],
  ['/v1/registry/..%2F..%2Fpackage.json', 'operator'],
  ['/v1/registry/%00', 'operator'],
  ['/v1/tenants/alpha/options/revote/extra', 'operator'],
  ['/v1/../v1/tenants', 'none'],
  ['/v1/tenants/alpha/options/%ZZ', 'operator'],
  ['/v1/tenants/%E0%A4%A', 'operator'],
];

function build(): BadRequest[] {
  const out: BadRequest[] = [];
  for (const [name, body] of BAD_PUT_BODIES) out.push({ name: `PUT option: ${name}`, method: 'put', path: OPTION, who: 'operator', body });
  for (const [name, body] of BAD_PUT_BODIES.slice(BAD_VALUES.length)) {
    if (name === 'no value') continue; // a reset needs no value
    out.push({ name: `DELETE option: ${name}`, method: 'delete', path: OPTION, who: 'operator', body });
  }
  for (const [name, body, contentType] of RAW_BODIES) {
    out.push({ name: `PUT option raw: ${name}`, method: 'put', path: OPTION, who: 'operator', body, contentType });
    out.push({ name: `POST tenant raw: ${name}`, method: 'post', path: '/v1/tenants', who: 'operator', body, contentType });
  }
  for (const [name, body] of BAD_TENANT_BODIES)
    out.push({ name: `POST tenant: ${name}`, method: 'post', path: '/v1/tenants', who: 'operator', body });
  for (const [name, body] of BAD_PRINCIPAL_BODIES)
    out.push({ name: `POST principal: ${name}`, method: 'post', path: '/v1/principals', who: 'operator', body });
  for (const q of BAD_AUDIT_QUERIES) {
    out.push({ name: `GET tenant audit ?${q}`, method: 'get', path: `/v1/tenants/${OWN}/audit?${q}`, who: 'operator' });
    out.push({ name: `GET audit ?${q}`, method: 'get', path: `/v1/audit?${q}`, who: 'operator' });
  }
  for (const q of ['tenant=Beta', 'tenant=..%2Fbeta', 'tenant=%00', 'tenant=no-such-tenant', 'tenant=beta&tenant=alpha']) {
    out.push({ name: `GET audit ?${q}`, method: 'get', path: `/v1/audit?${q}`, who: 'operator' });
  }
  for (const [name, authorization] of TOKENS) {
    out.push({
      name: `token ${name}: PUT option`,
      method: 'put',
      path: OPTION,
      who: 'none',
      authorization,
      body: { value: true, reason: REASON },
    });
    out.push({
      name: `token ${name}: POST tenant`,
      method: 'post',
      path: '/v1/tenants',
      who: 'none',
      authorization,
      body: { slug: 'gamma', name: 'Gamma', riskLevel: 1 },
    });
    out.push({ name: `token ${name}: GET options`, method: 'get', path: `/v1/tenants/${OWN}/options`, who: 'none', authorization });
  }
  for (const [path, who] of TRAVERSAL_PATHS) out.push({ name: `path ${path.slice(0, 80)} as ${who}`, method: 'get', path, who });
  for (const [path, who] of TRAVERSAL_PATHS.slice(0, 16)) {
    out.push({
      name: `PUT ${path.slice(0, 80)} as ${who}`,
      method: 'put',
      path: path.endsWith('/options') ? `${path}/revote` : path,
      who,
      body: { value: true, reason: REASON },
    });
  }
  const ifMatch = ['"abc"', '"-1"', '"1"x', 'W/', '"99999999999"', '"0", "1"', '*, "1"', "' OR 1=1"];
  for (const v of ifMatch) {
    out.push({
      name: `If-Match ${JSON.stringify(v)}`,
      method: 'put',
      path: OPTION,
      who: 'operator',
      body: { value: true, reason: REASON },
      headers: { 'if-match': v },
    });
  }
  out.push({
    name: 'If-Match stale version',
    method: 'put',
    path: OPTION,
    who: 'operator',
    body: { value: true, reason: REASON },
    headers: { 'if-match': '"7"' },
  });
  for (const role of ['admin', 'service'] as const) {
    out.push({ name: `${role} writes own option`, method: 'put', path: OPTION, who: role, body: { value: true, reason: REASON } });
    out.push({ name: `${role} resets own option`, method: 'delete', path: OPTION, who: role, body: { reason: REASON } });
    out.push({
      name: `${role} creates tenant`,
      method: 'post',
      path: '/v1/tenants',
      who: role,
      body: { slug: 'gamma', name: 'G', riskLevel: 1 },
    });
    out.push({
      name: `${role} creates principal in own tenant`,
      method: 'post',
      path: '/v1/principals',
      who: role,
      body: { name: 'p', role: 'operator' },
    });
    out.push({
      name: `${role} writes foreign option`,
      method: 'put',
      path: `/v1/tenants/${FOREIGN}/options/revote`,
      who: role,
      body: { value: true, reason: REASON },
    });
  }
  for (const method of ['patch', 'post'] as const) {
    out.push({
      name: `${method.toUpperCase()} on an option`,
      method,
      path: OPTION,
      who: 'operator',
      body: { value: true, reason: REASON },
    });
  }
  out.push({ name: 'DELETE a tenant', method: 'delete', path: `/v1/tenants/${OWN}`, who: 'operator' });
  out.push({ name: 'PUT a tenant', method: 'put', path: `/v1/tenants/${OWN}`, who: 'operator', body: { name: 'renamed' } });
  out.push({
    name: 'unknown option write',
    method: 'put',
    path: `/v1/tenants/${OWN}/options/no_such_option`,
    who: 'operator',
    body: { value: true, reason: REASON },
  });
  out.push(...encodingCases());
  out.push({
    name: 'X-Request-Id injection',
    method: 'put',
    path: OPTION,
    who: 'operator',
    body: { value: 'x', reason: REASON },
    headers: { 'x-request-id': "'; DROP TABLE audit_events; --" },
  });
  return out;
}

export const BAD_REQUESTS: BadRequest[] = build();
