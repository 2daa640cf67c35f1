import { subject } from '@casl/ability';
import { ROLES, SPANNING_ROLES, type AuthenticatedPrincipal, type Role } from '#tenancy/principal';
import { defineAbilityFor } from './ability.factory.js';
import { ROLE_RULES, SUBJECTS } from './role-rules.js';

const A = '11111111-1111-4111-8111-111111111111';
const B = '22222222-2222-4222-8222-222222222222';
const principal = (role: Role, tenantId: string | null = SPANNING_ROLES.includes(role) ? null : A): AuthenticatedPrincipal => ({
  id: `${role}-id`,
  name: role,
  role,
  tenantId,
  tenantSlug: tenantId ? 'alpha' : null,
});
const inTenant = (s: (typeof SUBJECTS)[number], tenantId: string) => subject(s, { id: tenantId, tenantId } as Record<string, unknown>);

describe('role rules', () => {
  it('binds every rule of a tenant-bound role, except registry reads, to its own tenant', () => {
    for (const role of ROLES.filter((r) => !SPANNING_ROLES.includes(r))) {
      for (const rule of ROLE_RULES[role]) {
        const subjects = [rule.subject].flat();
        if (subjects.every((s) => s === 'Registry')) continue;
        expect({ role, rule, bound: rule.conditions !== undefined }).toMatchObject({ bound: true });
      }
    }
  });

  it('gives tenant-bound roles nothing of another tenant', () => {
    for (const role of ['client_admin', 'service'] as const) {
      const ability = defineAbilityFor(principal(role));
      for (const s of SUBJECTS.filter((x) => x !== 'Registry')) {
        for (const action of ['create', 'read', 'update', 'delete'] as const) {
          expect({ role, action, s, allowed: ability.can(action, inTenant(s, B)) }).toMatchObject({ allowed: false });
        }
      }
    }
  });

  it('lets only operators write, and nobody but operators and compliance read across tenants', () => {
    const table = Object.fromEntries(
      ROLES.map((role) => {
        const ability = defineAbilityFor(principal(role));
        return [
          role,
          {
            writeOwn: ability.can('update', inTenant('OptionValue', A)),
            readOwnOptions: ability.can('read', inTenant('OptionValue', A)),
            readOwnAudit: ability.can('read', inTenant('AuditEvent', A)),
            readAllAudit: ability.can('read', subject('AuditEvent', {} as Record<string, unknown>)),
            createPrincipal: ability.can('create', subject('Principal', {} as Record<string, unknown>)),
          },
        ];
      }),
    );
    expect(table).toEqual({
      operator: { writeOwn: true, readOwnOptions: true, readOwnAudit: true, readAllAudit: true, createPrincipal: true },
      compliance: { writeOwn: false, readOwnOptions: true, readOwnAudit: true, readAllAudit: true, createPrincipal: false },
      client_admin: { writeOwn: false, readOwnOptions: true, readOwnAudit: true, readAllAudit: false, createPrincipal: false },
      service: { writeOwn: false, readOwnOptions: true, readOwnAudit: false, readAllAudit: false, createPrincipal: false },
    });
  });

  it('refuses to build abilities for a tenant-bound principal without a tenant', () => {
    expect(() => defineAbilityFor(principal('client_admin', null))).toThrow(/no tenant/);
  });
});
