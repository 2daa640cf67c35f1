import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** A tenant as the value generators see it: its marker makes its values recognisable anywhere. */
export interface Marked {
  marker: string;
}

/** One candidate option value, valid or not by the option's schema as written in the catalog. */
export interface ValueCase {
  key: string;
  label: string;
  valid: boolean;
  make(t: Marked): unknown;
}

const v = (key: string, label: string, valid: boolean, make: (t: Marked) => unknown): ValueCase => ({ key, label, valid, make });
const c = (key: string, valid: boolean, value: unknown): ValueCase => v(key, JSON.stringify(value), valid, () => value);

/**
 * Values the model writes. Validity is stated here from the catalog's schemas, independently of
 * the service's validator; values holding the tenant's marker let responses be searched for it.
 */
export const VALUE_CASES: ValueCase[] = [
  c('revote', true, true),
  c('revote', true, false),
  c('revote', false, 'yes'),
  c('revote', false, 1),
  c('revote', false, null),
  c('max_proxies', true, 0),
  c('max_proxies', true, 3),
  c('max_proxies', true, 10),
  c('max_proxies', false, 11),
  c('max_proxies', false, -1),
  c('max_proxies', false, 2.5),
  c('max_proxies', false, '3'),
  c('ui_language', true, 'en'),
  c('ui_language', true, 'de'),
  c('ui_language', false, 'xx'),
  c('ui_language', false, ''),
  v('audit_webhook_url', 'https://<marker>.example.org/hook', true, (t) => `https://${t.marker}.example.org/hook`),
  c('audit_webhook_url', true, null),
  v('audit_webhook_url', 'http://<marker>.example.org/', false, (t) => `http://${t.marker}.example.org/`),
  c('audit_webhook_url', false, "https://x.example/'; DROP TABLE tenants; --"),
  v('admin_ip_allowlist', '["10.<n>.0.1"]', true, (t) => [`10.${parseInt(t.marker.slice(1, 3), 16) % 256}.0.1`]),
  c('admin_ip_allowlist', true, ['10.0.0.0/8', '::1']),
  c('admin_ip_allowlist', false, ['999.1.1.1']),
  c('admin_ip_allowlist', false, ['10.0.0.1', '10.0.0.1']),
  c('ballot_secrecy', true, 'secret'),
  c('ballot_secrecy', true, 'admin_visible'),
  c('ballot_secrecy', false, 'open'),
  c('admin_mfa', true, true),
  c('admin_mfa', false, false),
  c('sso', true, { enabled: false }),
  v('sso', '{enabled:true, issuer:https://<marker>.idp.example}', true, (t) => ({
    enabled: true,
    issuer: `https://${t.marker}.idp.example`,
  })),
  c('sso', false, { enabled: true }),
  c('sso', false, { enabled: false, extra: 1 }),
  c('retention_days', true, 30),
  c('retention_days', true, 3650),
  c('retention_days', false, 29),
  c('retention_days', false, 1e10),
  c('voter_list_export', true, true),
  c('voter_list_export', true, false),
  c('voter_list_export', false, 'yes'),
];

export const MODEL_KEYS = [...new Set(VALUE_CASES.map((x) => x.key))];

/** Keys that name no option: unknown, wrong case, or trying to leave the path segment. */
export const BOGUS_KEYS = ['no_such_option', 'REVOTE', '..%2F..%2Fetc%2Fpasswd', 'revote%00', '%2e%2e'];

/** Every option's default, read from the catalog files themselves. */
export function catalogDefaults(catalogDir = join(process.cwd(), 'catalog')): Map<string, unknown> {
  const dir = join(catalogDir, 'options');
  const out = new Map<string, unknown>();
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.json'))) {
    const def = JSON.parse(readFileSync(join(dir, f), 'utf8')) as { key: string; default: unknown };
    out.set(def.key, def.default);
  }
  return out;
}

/** Every option's risk (low, medium, high, critical), read from the catalog files. */
export function catalogRisks(catalogDir = join(process.cwd(), 'catalog')): Map<string, string> {
  const dir = join(catalogDir, 'options');
  const out = new Map<string, string>();
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.json'))) {
    const def = JSON.parse(readFileSync(join(dir, f), 'utf8')) as { key: string; risk: string };
    out.set(def.key, def.risk);
  }
  return out;
}
