import fc from 'fast-check';

/**
 * Values the adversary writes, for every option of the catalog: each valid value it could want
 * (the unsafe ones first), plus one of the wrong type. Read by index, wrapping around.
 */
export const ADV_VALUES: Record<string, unknown[]> = {
  admin_can_view_credentials: [true, false, 'yes'],
  admin_ip_allowlist: [['0.0.0.0/0'], [], ['999.1.1.1']],
  admin_mfa: [false, true, 0],
  admin_reopen_ballot: [true, false, null],
  admin_results_during_vote: [true, false, 1],
  audit_webhook_url: ['https://attacker.example.net/hook', null, 'http://attacker.example.net/'],
  ballot_secrecy: ['public', 'admin_visible', 'secret', 'open'],
  credential_reset: ['hotline_with_office', 'strong_self_service', 'off', 'always'],
  edit_electors_after_seal: [true, false, 'true'],
  max_proxies: [10, 0, 11],
  proxy_mode: ['multiple', 'none', 'all'],
  results_publication_delay_minutes: [0, 1440, -1],
  retention_days: [30, 3650, 29],
  revote: [true, false, 'yes'],
  schedule_change: ['anytime', 'locked', 'before_opening', 'never'],
  scrutineer_scope: [[], ['turnout'], ['everything']],
  sso: [{ enabled: true, issuer: 'https://attacker.example.net' }, { enabled: false }, { enabled: true }],
  ui_language: ['en', 'fr', 'xx'],
  vote_weights: [true, false, 'heavy'],
  voter_list_export: [true, false, 'yes'],
  voter_receipt: ['none', 'hash_receipt', 'full'],
  voter_results_visibility: ['live', 'never', 'always'],
  voter_second_factor: ['none', 'sms', 'carrier_pigeon'],
};
export const ADV_KEYS = Object.keys(ADV_VALUES);

export function advValue(i: number): { key: string; value: unknown } {
  const key = ADV_KEYS[i % ADV_KEYS.length] as string;
  const values = ADV_VALUES[key] as unknown[];
  return { key, value: values[Math.floor(i / ADV_KEYS.length) % values.length] };
}

/** Every route an operator and the principals it can make may call, weighted towards the ones that decide. */
export const MOVES = {
  put: 4,
  delete: 2,
  request: 3,
  edit: 2,
  approve: 12,
  reject: 1,
  withdraw: 1,
  bulk: 3,
  createTenant: 1,
  createPrincipal: 4,
  approveOperator: 3,
  collectToken: 3,
  approveTenantRequest: 4,
  invite: 3,
  redeem: 2,
  revoke: 3,
  sealPropose: 2,
  sealApprove: 5,
  sealLift: 5,
  breakGlass: 4,
  breakGlassChange: 3,
  people: 1,
  requestsList: 1,
  read: 3,
  evaluate: 1,
} as const;
export type Move = keyof typeof MOVES;

/** Which content hash an approval names: the request's current one, another request's, or a made-up one. */
export type HashKind = 'current' | 'other' | 'random';

export interface AdvPick {
  move: Move;
  /** Index into the adversary's principals (0: the operator itself, most often). */
  actor: number;
  /** Index into the run's tenants; `foreign` names a tenant outside the run instead. */
  tenant: number;
  foreign: boolean;
  /** Index into the objects the move is about (requests, seals, principal requests, principals). */
  object: number;
  value: number;
  hash: HashKind;
  /** Move-specific switch: reset instead of set, dry run only, a colleague of a role, … */
  flag: boolean;
}

const n = fc.nat({ max: 10_000 });

export const advPick: fc.Arbitrary<AdvPick> = fc.record({
  move: fc.oneof(...Object.entries(MOVES).map(([move, weight]) => ({ arbitrary: fc.constant(move as Move), weight }))),
  actor: fc.oneof({ arbitrary: fc.constant(0), weight: 2 }, { arbitrary: n, weight: 3 }),
  tenant: n,
  foreign: fc.oneof({ arbitrary: fc.constant(false), weight: 9 }, { arbitrary: fc.constant(true), weight: 1 }),
  object: n,
  value: n,
  hash: fc.oneof(
    { arbitrary: fc.constant<HashKind>('current'), weight: 8 },
    { arbitrary: fc.constant<HashKind>('other'), weight: 1 },
    { arbitrary: fc.constant<HashKind>('random'), weight: 1 },
  ),
  flag: fc.boolean(),
});
