import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { signStatement, type ApprovalStatement } from '#audit-format';
import { contentHashOf } from '#change-control/content-hash';
import { apiTarget, callApi, CONNECTION_OPTIONS } from '../api.client.js';
import { CliError, EXIT, parse, type CliIo } from '../cli.io.js';

export const KEYS_HELP = `Usage:
  cloison keys create --key <file> [--label <label>]

Creates an Ed25519 approval key: the private key is written to <file> (mode 0600, never
overwritten, never sent), the public key is enrolled for the token's principal (audited with
its fingerprint in the tenant's chain for a client admin, the global chain for an operator).

Connection: --url / CLOISON_URL, --token / CLOISON_TOKEN.
`;

export const APPROVE_HELP = `Usage:
  cloison approve <tenant> <change-request-id> --key <file> [--json]

Reads the change request (refusing another request or tenant than the one named), recomputes
its content hash from what it says (refusing one that does not match), signs the approval statement {action, tenant, request, content hash,
approver, time} with the local key and sends the approval with its signature.

Connection: --url / CLOISON_URL, --token / CLOISON_TOKEN.
`;

export async function keysCommand(argv: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub !== 'create') {
    if (sub === undefined || sub === '--help' || sub === '-h') return (io.out(KEYS_HELP), sub ? EXIT.ok : EXIT.usage);
    throw new CliError(EXIT.usage, `unknown subcommand "keys ${sub}"\n\n${KEYS_HELP}`);
  }
  const { values } = parse(rest, { ...CONNECTION_OPTIONS, key: { type: 'string' }, label: { type: 'string' } });
  if (values.help) return (io.out(KEYS_HELP), EXIT.ok);
  if (!values.key) throw new CliError(EXIT.usage, 'keys create needs --key <file>');
  const target = apiTarget(values, io);
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  try {
    writeFileSync(values.key, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
  } catch (err) {
    throw new CliError(EXIT.usage, `cannot write ${values.key}: ${(err as Error).message}`);
  }
  const enrolled = await callApi<{ fingerprint: string }>(target, 'POST', '/v1/me/credentials', {
    kind: 'ed25519',
    label: values.label ?? 'cloison CLI',
    publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  });
  io.out(`${enrolled.fingerprint}\n`);
  io.err(`private key written to ${values.key}; public key enrolled as ${enrolled.fingerprint}\n`);
  return EXIT.ok;
}

interface RequestView {
  id: string;
  tenant: string;
  option: string;
  operation: 'set' | 'reset';
  value?: unknown;
  reason: string;
  baseVersion: number;
  contentHash: string;
  status: string;
}

/** The Ed25519 approval key in `file` (made by cloison keys create), refused when unreadable or of another kind. */
export function approvalKey(file: string | undefined, command: string): KeyObject {
  if (!file) throw new CliError(EXIT.usage, `${command} needs --key <file> (made by cloison keys create)`);
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new CliError(EXIT.usage, `cannot read the key ${file}: ${(err as Error).message}`);
  }
  if (createPublicKey(privateKey).asymmetricKeyType !== 'ed25519') throw new CliError(EXIT.usage, `${file} is not an Ed25519 key`);
  return privateKey;
}

/**
 * Refuses to sign unless the server answered what the signer named: the tenant (slug) and the
 * request or seal (id). The statement carries the ids the server gives, so a server answering
 * another one under the name asked for would obtain a signature over what the signer never chose.
 */
export function assertNamed(
  what: string,
  named: { tenant: string; id: string },
  shown: { tenant: { slug?: string }; subject: { tenant?: string; id?: string } },
): void {
  const same = (a: string | undefined, b: string) => typeof a === 'string' && a.toLowerCase() === b.toLowerCase();
  if (!same(shown.tenant.slug, named.tenant) || !same(shown.subject.tenant, named.tenant) || !same(shown.subject.id, named.id))
    throw new CliError(
      EXIT.rejected,
      `the server answered ${what} ${shown.subject.id} of tenant ${shown.subject.tenant ?? shown.tenant.slug} for ${named.id} of ${named.tenant}: not signed`,
    );
}

export async function approveCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(argv, { ...CONNECTION_OPTIONS, key: { type: 'string' }, json: { type: 'boolean' } }, 2);
  if (values.help) return (io.out(APPROVE_HELP), EXIT.ok);
  const privateKey = approvalKey(values.key, 'approve');
  const [slug, id] = positionals as [string, string];
  const target = apiTarget(values, io);
  const tenant = await callApi<{ id: string; slug: string }>(target, 'GET', `/v1/tenants/${encodeURIComponent(slug)}`);
  const request = await callApi<RequestView>(
    target,
    'GET',
    `/v1/tenants/${encodeURIComponent(slug)}/change-requests/${encodeURIComponent(id)}`,
  );
  assertNamed('change request', { tenant: slug, id }, { tenant, subject: request });
  const me = await callApi<{ id: string }>(target, 'GET', '/v1/me');
  // What is signed is what the request says, not what the server claims its hash is.
  const hash = contentHashOf({
    tenantId: tenant.id,
    optionKey: request.option,
    operation: request.operation,
    value: request.value ?? null,
    reason: request.reason,
    baseVersion: request.baseVersion,
  });
  if (hash !== request.contentHash)
    throw new CliError(EXIT.rejected, `the request's content hashes to ${hash}, but the server gives ${request.contentHash}: not signed`);
  const statement: ApprovalStatement = {
    action: 'change_request.approve',
    tenant: tenant.id,
    subject: request.id,
    contentHash: hash,
    approver: me.id,
    at: new Date().toISOString(),
  };
  const approved = await callApi<RequestView>(
    target,
    'POST',
    `/v1/tenants/${encodeURIComponent(slug)}/change-requests/${encodeURIComponent(id)}/approve`,
    {
      contentHash: hash,
      signature: signStatement(statement, privateKey),
    },
  );
  io.out(
    values.json ? `${JSON.stringify(approved)}\n` : `approved ${approved.id} (${request.option}), signed; status ${approved.status}\n`,
  );
  return EXIT.ok;
}
