import type { BadRequest, Who } from './corpus.js';

/**
 * Malformed text and encodings: lone surrogates in every kind of body field, audit periods the log
 * cannot hold, console paths encoded twice or wrongly. Part of BAD_REQUESTS (corpus.ts).
 */
const OWN = 'alpha';
const OPTION = `/v1/tenants/${OWN}/options/revote`;
const REASON = 'bad input corpus';

/** Strings holding a lone surrogate: JSON.stringify writes them as `\\udXXX` escapes, which JSON.parse reads back as such. */
const LONE_SURROGATES: [string, string][] = [
  ['high surrogate alone', '\ud800'],
  ['low surrogate alone', '\udc00'],
  ['high surrogate inside text', 'ab\udbffcd'],
  ['pair in the wrong order', 'x\ude00\ud83dy'],
];
const SOME_ID = '00000000-0000-4000-8000-000000000000';
const SEALS = `/v1/tenants/${OWN}/seals`;
const REQUESTS = `/v1/tenants/${OWN}/change-requests`;

/** Every kind of body field, each given a lone surrogate: [route, who, body with `S` where the string goes]. */
const SURROGATE_FIELDS: [string, BadRequest['method'], string, Who, (s: string) => unknown][] = [
  ['option reason', 'put', OPTION, 'operator', (s) => ({ value: true, reason: `reason ${s}` })],
  ['option value', 'put', `/v1/tenants/${OWN}/options/ui_language`, 'operator', (s) => ({ value: s, reason: REASON })],
  [
    'option value in an array',
    'put',
    `/v1/tenants/${OWN}/options/admin_ip_allowlist`,
    'operator',
    (s) => ({ value: ['10.0.0.1', s], reason: REASON }),
  ],
  ['option body key', 'put', OPTION, 'operator', (s) => ({ value: true, reason: REASON, [s]: 1 })],
  ['reset reason', 'delete', OPTION, 'operator', (s) => ({ reason: `reset ${s}` })],
  ['tenant name', 'post', '/v1/tenants', 'operator', (s) => ({ slug: 'gamma', name: `Gamma ${s}`, riskLevel: 1 })],
  ['tenant slug', 'post', '/v1/tenants', 'operator', (s) => ({ slug: `gamma${s}`, name: 'Gamma', riskLevel: 1 })],
  ['principal name', 'post', '/v1/principals', 'operator', (s) => ({ name: `x${s}y`, role: 'operator' })],
  ['principal role', 'post', '/v1/principals', 'operator', (s) => ({ name: 'p', role: s })],
  ['seal label', 'post', SEALS, 'operator', (s) => ({ label: `Election ${s} 2027` })],
  ['seal lift reason', 'post', `${SEALS}/${SOME_ID}/lift`, 'operator', (s) => ({ reason: `lift ${s}` })],
  ['break-glass reason', 'post', `${SEALS}/${SOME_ID}/break-glass`, 'operator', (s) => ({ reason: `glass ${s}` })],
  [
    'break-glass change reason',
    'post',
    `${SEALS}/${SOME_ID}/break-glass-changes`,
    'operator',
    (s) => ({ option: 'ballot_secrecy', value: 'secret', reason: `glass ${s}` }),
  ],
  [
    'change request reason',
    'post',
    REQUESTS,
    'operator',
    (s) => ({ option: 'revote', operation: 'set', value: true, reason: `because ${s}` }),
  ],
  ['change request value', 'post', REQUESTS, 'operator', (s) => ({ option: 'ui_language', operation: 'set', value: s, reason: REASON })],
  ['change request edit', 'patch', `${REQUESTS}/${SOME_ID}`, 'operator', (s) => ({ value: true, reason: `edited ${s}` })],
  ['change request approval hash', 'post', `${REQUESTS}/${SOME_ID}/approve`, 'operator', (s) => ({ contentHash: s })],
  ['change request rejection reason', 'post', `${REQUESTS}/${SOME_ID}/reject`, 'operator', (s) => ({ reason: `no ${s}` })],
  ['change request withdrawal reason', 'post', `${REQUESTS}/${SOME_ID}/withdraw`, 'operator', (s) => ({ reason: `gone ${s}` })],
  [
    'bulk change reason',
    'post',
    '/v1/bulk-changes',
    'operator',
    (s) => ({ option: 'revote', operation: 'set', value: true, tenants: [OWN], reason: `bulk ${s}`, dryRun: true }),
  ],
  [
    'bulk change tenant',
    'post',
    '/v1/bulk-changes',
    'operator',
    (s) => ({ option: 'revote', operation: 'set', value: true, tenants: [s], reason: REASON, dryRun: true }),
  ],
  ['OFREP targeting key', 'post', '/ofrep/v1/evaluate/flags', 'service', (s) => ({ context: { targetingKey: s } })],
  ['OFREP context key', 'post', '/ofrep/v1/evaluate/flags/revote', 'service', (s) => ({ context: { [s]: 'x' } })],
];

/** Audit periods the log cannot hold, and leap seconds where none can be. */
const BAD_PERIODS = [
  'from=0000-01-01T00:00:00Z',
  'to=0000-12-31T23:59:60Z',
  'from=0001-01-01T00:00:00%2B01:00',
  'from=10000-01-01T00:00:00Z',
  'to=-0001-01-01T00:00:00Z',
  'from=2016-12-31T12:00:60Z',
  'to=2016-12-31T23:59:61Z',
  'from=2016-12-31T23:59:60Z&limit=0',
  'from=2016-02-30T00:00:00Z',
  'to=2016-12-31T24:00:00Z',
  'from=2016-12-31T23:59:60',
  'to=275760-09-13T00:00:00Z',
];

/** Console paths that name no file, encoded once, twice or wrongly. */
const CONSOLE_PATHS = [
  '/console/%25E0%25A4%25A',
  '/console/%E0%A4%A',
  '/console/%25',
  '/console/%2525',
  '/console/%25ZZ.js',
  '/console/..%252f..%252fpackage.json',
  '/console/%252e%252e/%252e%252e/package.json',
  '/console/%C0%AE%C0%AE/package.json',
  '/console/..%5c..%5cpackage.json',
  '/console/index.html%00',
  '/console/%00.js',
  '/console/%ED%A0%80.js',
];

export function encodingCases(): BadRequest[] {
  const out: BadRequest[] = [];
  for (const [field, method, path, who, body] of SURROGATE_FIELDS) {
    for (const [kind, text] of LONE_SURROGATES) out.push({ name: `${field}: ${kind}`, method, path, who, body: body(text) });
  }
  for (const q of BAD_PERIODS) {
    out.push({ name: `GET tenant audit ?${q}`, method: 'get', path: `/v1/tenants/${OWN}/audit?${q}`, who: 'operator' });
    out.push({ name: `GET audit ?${q}`, method: 'get', path: `/v1/audit?${q}`, who: 'operator' });
  }
  for (const path of CONSOLE_PATHS) out.push({ name: `console ${path}`, method: 'get', path, who: 'none' });
  return out;
}
