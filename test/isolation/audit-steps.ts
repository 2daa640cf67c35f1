import { verifyExport } from '#audit-format';
import { call, expectStatus, fail, scan, type Reply } from './http.js';
import { gate, type Model, type TenantState, type World } from './model.js';
import { resolveActor, resolveTenant, showActor, showTenant, type ActorPick, type TenantPick } from './picks.js';
import { Step } from './step.js';

export type ChainAction = 'verify' | 'jsonl' | 'csv' | 'checkpoint' | 'public-key';

/** Events the model expects in the whole log, and in one tenant's chain. */
const globalTotal = (m: Model) => m.baselineSeq + m.globalEvents.length + m.tenants.reduce((n, t) => n + t.events.length, 0);
const tenantTotal = (t: TenantState) => t.initialEvents + t.events.length;

/**
 * The verifiable audit log: chain verification and export (global or one tenant's, JSON Lines
 * checked offline with the public key, or CSV), signing checkpoints now, the public key.
 */
export class AuditChain extends Step {
  constructor(
    readonly actor: ActorPick,
    readonly action: ChainAction,
    readonly tenant: TenantPick | null,
  ) {
    super();
  }
  toString() {
    const path = {
      verify: 'verify',
      jsonl: 'export?format=jsonl',
      csv: 'export?format=csv',
      checkpoint: 'checkpoints',
      'public-key': 'public-key',
    }[this.action];
    const scoped = this.tenant && ['verify', 'jsonl', 'csv'].includes(this.action);
    return `${this.action === 'checkpoint' ? 'POST' : 'GET'} ${scoped ? `/v1/tenants/${showTenant(this.tenant as TenantPick)}/audit` : '/v1/audit'}/${path} as ${showActor(this.actor)}`;
  }
  async exec(m: Model, w: World) {
    const actor = resolveActor(m, this.actor);
    if (this.action === 'public-key' || this.action === 'checkpoint') {
      const r =
        this.action === 'checkpoint'
          ? await call(w, actor, 'post', '/v1/audit/checkpoints')
          : await call(w, actor, 'get', '/v1/audit/public-key');
      scan(w, r, actor);
      expectStatus(
        r,
        gate(this.action === 'checkpoint' ? 'audit.checkpoints' : 'audit.public_key', actor) ?? (this.action === 'checkpoint' ? 201 : 200),
      );
      if (r.status === 200 && r.body.fingerprint !== w.auditKey.fingerprint) fail('the audit public key changed', r);
      return;
    }
    const target = this.tenant ? resolveTenant(m, this.tenant, actor) : undefined;
    const base = target ? `/v1/tenants/${target.segment}/audit` : '/v1/audit';
    const path = this.action === 'verify' ? `${base}/verify` : `${base}/export?format=${this.action}`;
    const r = await call(w, actor, 'get', path);
    scan(w, r, actor, target?.state);
    const route =
      this.action === 'verify' ? (target ? 'audit.tenant_verify' : 'audit.verify') : target ? 'audit.tenant_export' : 'audit.export';
    expectStatus(r, gate(route, actor, target) ?? 200);
    if (r.status !== 200) return;
    const t = target?.state ?? null;
    const total = t ? tenantTotal(t) : globalTotal(m);
    if (this.action === 'verify') {
      if (r.body.ok !== true || r.body.checked !== total)
        fail(`chain verification: ${JSON.stringify(r.body)}, the model has ${total} events`, r);
    } else if (this.action === 'jsonl') {
      await expectJsonl(w, r, t, total);
    } else {
      const rows = r.text.split('\r\n').filter((l) => l.startsWith('event,'));
      if (rows.length !== total) fail(`CSV export holds ${rows.length} events, the model ${total}`, r);
      if (t && rows.some((l) => l.split(',')[3] !== t.id)) fail("CSV export of a tenant holds another tenant's events", r);
    }
  }
}

/** The export verifies offline with nothing but the public key, and holds the model's events. */
async function expectJsonl(w: World, r: Reply, t: TenantState | null, total: number): Promise<void> {
  const lines = r.text.split('\n').filter((l) => l.length > 0);
  const result = await verifyExport(lines, w.auditKey.key);
  if (!result.ok) fail(`export does not verify: ${result.reason}`, r);
  const events = lines.map((l) => JSON.parse(l) as { type: string; tenantId?: string | null }).filter((l) => l.type === 'event');
  if (events.length !== total) fail(`export holds ${events.length} events, the model ${total}`, r);
  if (t && events.some((e) => e.tenantId !== t.id)) fail("export of a tenant holds another tenant's events", r);
}
