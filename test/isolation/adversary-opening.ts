import { send, type AdversaryRun, type Sent } from './adversary-steps.js';
import type { AdvPrincipal } from './adversary-world.js';
import type { World } from './model.js';

/**
 * The moves any insider would try first, before the random ones: make every principal one
 * operator can (a client admin for each tenant without one, compliance, a service principal, a
 * new operator — which waits for someone else), ask for a critical change on every unsealed
 * tenant, then consent to it, and to op2's pending ones, with its own client admins. Each goes
 * through the same checks as a random move; the random moves then start with these principals.
 */
export async function openingMoves(s: AdversaryRun, w: World): Promise<void> {
  const m = s.model;
  const op1 = m.principals[0] as AdvPrincipal;
  const as = (actor: AdvPrincipal, sent: Sent, move: string) => send(s, w, actor, sent, `opening:${move}`, null);
  for (const t of m.tenants) {
    if (m.honest.admins.get(t.id)?.length) continue;
    await as(
      op1,
      { method: 'post', path: '/v1/principals', body: { name: `my client admin at ${t.slug}`, role: 'client_admin', tenant: t.slug } },
      'client_admin',
    );
  }
  await as(op1, { method: 'post', path: '/v1/principals', body: { name: 'my compliance', role: 'compliance' } }, 'compliance');
  await as(
    op1,
    { method: 'post', path: '/v1/principals', body: { name: 'my service', role: 'service', tenant: m.tenants[0]?.slug } },
    'service',
  );
  await as(op1, { method: 'post', path: '/v1/principals', body: { name: 'my second login', role: 'operator' } }, 'operator');
  for (const t of m.tenants.filter((x) => !x.sealed)) {
    await as(
      op1,
      {
        method: 'put',
        path: `/v1/tenants/${t.slug}/options/admin_can_view_credentials`,
        body: { value: true, reason: 'the client wants it' },
        tenant: t,
      },
      'critical',
    );
  }
  for (const req of [...m.requests]) {
    const mine = m.principals.find((p) => p.role === 'client_admin' && p.tenantId === req.tenant?.id);
    if (!mine || !req.tenant) continue;
    const path = `/v1/tenants/${req.tenant.slug}/change-requests/${req.id}/approve`;
    await as(mine, { method: 'post', path, body: { contentHash: req.contentHash }, tenant: req.tenant }, 'consent');
  }
}
