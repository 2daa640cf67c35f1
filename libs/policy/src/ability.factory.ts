import type { Ability } from '@casl/ability';
import { createPrismaAbility, type PrismaQueryOf } from '@casl/prisma/runtime';
import type { Prisma } from '#persistence';
import type { AuthenticatedPrincipal } from '#tenancy';
import { OWN_TENANT, ROLE_RULES, type Action, type SubjectName } from './role-rules.js';

type PrismaQuery = PrismaQueryOf<Prisma.TypeMap>;
export type AppAbility = Ability<[Action, SubjectName | Record<string, unknown>], PrismaQuery>;

/** Builds a principal's abilities from ROLE_RULES, binding tenant conditions to its tenant. */
export function defineAbilityFor(principal: AuthenticatedPrincipal): AppAbility {
  const rules = ROLE_RULES[principal.role].map((rule) => {
    if (!rule.conditions) return { action: rule.action, subject: rule.subject };
    if (!principal.tenantId) {
      throw new Error(`role ${principal.role} has tenant conditions but principal ${principal.id} has no tenant`);
    }
    const conditions = Object.fromEntries(
      Object.entries(rule.conditions).map(([field, v]) => [field, v === OWN_TENANT ? principal.tenantId : v]),
    );
    return { action: rule.action, subject: rule.subject, conditions };
  });
  return createPrismaAbility<AppAbility>(rules as never);
}
