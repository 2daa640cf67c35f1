/** Marks the error so the HTTP layer answers 503 and logs it as an error, whatever wraps it. */
export const SESSION_ROLE_ERROR_CODE = 'CLOISON_SESSION_ROLE';

/**
 * The transaction's session is not the restricted one checked at boot (someone ran RESET ROLE
 * on a shared session, or a pooled connection was switched): row-level security may not hold,
 * so nothing may be read or written through it.
 */
export class SessionRoleError extends Error {
  readonly code = SESSION_ROLE_ERROR_CODE;
  constructor(expected: string, actual: { role: string; rls: boolean } | undefined) {
    super(
      actual
        ? `database session works as "${actual.role}" (row security ${actual.rls ? 'on' : 'off'}), expected "${expected}" with row security on: refusing to use it`
        : 'database session could not be checked: refusing to use it',
    );
    this.name = 'SessionRoleError';
  }
}

/** What a tenant-binding statement reports about the session it ran in. */
export interface SessionState {
  role: string;
  rls: boolean;
}

export function assertSessionRole(expected: string, actual: SessionState | undefined): void {
  if (!actual || actual.role !== expected || actual.rls !== true) throw new SessionRoleError(expected, actual);
}
