import { sealContentHash, signStatement, type ApprovalStatement, type SignedAction } from '#audit-format';
import { apiTarget, callApi, CONNECTION_OPTIONS } from '../api.client.js';
import { CliError, EXIT, parse, type CliIo } from '../cli.io.js';
import { approvalKey, assertNamed } from './approvals.command.js';

export const SEAL_STEP_HELP = `Usage:
  cloison seal approve <tenant> <seal-id> --key <file> [--json]
  cloison seal lift <tenant> <seal-id> --reason <text> --key <file> [--json]
  cloison seal break-glass <tenant> <seal-id> --reason <text> --key <file> [--json]

Reads the seal (refusing another seal or tenant than the one named), recomputes what is signed
from what it shows (the tenant, the seal, its label and required approvals, the step and the
reason given), signs the approval statement with the local key and sends the step with its
signature: approve a proposed seal, approve lifting an active one, or break the glass (operators).

Connection: --url / CLOISON_URL, --token / CLOISON_TOKEN.
`;

const STEPS = {
  approve: { purpose: 'activate', action: 'seal.approve', path: 'approve', status: 'proposed' },
  lift: { purpose: 'lift', action: 'seal.lift', path: 'lift', status: 'active' },
  'break-glass': { purpose: 'break_glass', action: 'seal.break_glass', path: 'break-glass', status: 'active' },
} as const satisfies Record<string, { purpose: string; action: SignedAction; path: string; status: string }>;

interface SealView {
  id: string;
  tenant: string;
  label: string;
  requiredApprovals: number;
  status: string;
}

/** `cloison seal approve|lift|break-glass`: a seal step signed with the same key as `cloison approve`. */
export async function sealStepCommand(step: keyof typeof STEPS, argv: string[], io: CliIo): Promise<number> {
  const options = { ...CONNECTION_OPTIONS, key: { type: 'string' }, reason: { type: 'string' }, json: { type: 'boolean' } } as const;
  const { values, positionals } = parse(argv, options, 2);
  if (values.help) return (io.out(SEAL_STEP_HELP), EXIT.ok);
  const s = STEPS[step];
  const reason = step === 'approve' ? null : (values.reason ?? null);
  if (step !== 'approve' && !reason) throw new CliError(EXIT.usage, `seal ${step} needs --reason <text>`);
  const privateKey = approvalKey(values.key, `seal ${step}`);
  const [slug, id] = positionals as [string, string];
  const target = apiTarget(values, io);
  const base = `/v1/tenants/${encodeURIComponent(slug)}`;
  const tenant = await callApi<{ id: string; slug: string }>(target, 'GET', base);
  const seal = await callApi<SealView>(target, 'GET', `${base}/seals/${encodeURIComponent(id)}`);
  assertNamed('seal', { tenant: slug, id }, { tenant, subject: seal });
  if (seal.status !== s.status) throw new CliError(EXIT.rejected, `seal ${seal.id} is ${seal.status}: nothing to ${step}`);
  const me = await callApi<{ id: string }>(target, 'GET', '/v1/me');
  // What is signed is rebuilt from the seal as the server shows it, as the service rebuilds it from its row.
  const contentHash = sealContentHash(
    { tenantId: tenant.id, id: seal.id, label: seal.label, requiredApprovals: seal.requiredApprovals },
    s.purpose,
    reason,
  );
  const statement: ApprovalStatement = {
    action: s.action,
    tenant: tenant.id,
    subject: seal.id,
    contentHash,
    approver: me.id,
    at: new Date().toISOString(),
  };
  const signature = signStatement(statement, privateKey);
  const after = await callApi<SealView>(target, 'POST', `${base}/seals/${encodeURIComponent(id)}/${s.path}`, {
    ...(reason ? { reason } : {}),
    signature,
  });
  io.out(values.json ? `${JSON.stringify(after)}\n` : `${s.action} ${after.id} (${after.label}), signed; status ${after.status}\n`);
  return EXIT.ok;
}
