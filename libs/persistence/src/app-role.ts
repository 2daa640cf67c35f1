import type pg from 'pg';

export const DEFAULT_APP_ROLE = 'cloison_app';

type Queryable = Pick<pg.Client, 'query'>;

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

export function quoteRole(role: string): string {
  if (!IDENTIFIER.test(role)) throw new Error(`invalid database role name: ${role}`);
  return `"${role}"`;
}

/**
 * Creates the restricted role the application works as, if missing, and lets the
 * connecting (privileged) user switch to it. Several databases of one cluster may race here.
 */
export async function provisionAppRole(client: Queryable, role: string): Promise<void> {
  const quoted = quoteRole(role);
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role]);
    if (!rowCount) await client.query(`CREATE ROLE ${quoted} NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE`);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code !== '42710' && code !== '23505') throw err;
  }
  const { rows } = await client.query<{ rolsuper: boolean }>('SELECT rolsuper FROM pg_roles WHERE rolname = current_user');
  if (!rows[0]?.rolsuper) await client.query(`GRANT ${quoted} TO CURRENT_USER`);
}

export interface RoleCheck {
  role: string;
  superuser: boolean;
  bypassRls: boolean;
  ownsTables: string[];
}

/** What the role doing the app's work could bypass; all must be false/empty for RLS to hold. */
export async function inspectWorkingRole(client: Queryable): Promise<RoleCheck> {
  const { rows } = await client.query<{ role: string; superuser: boolean; bypass: boolean; owned: string[] | null }>(
    `SELECT current_user AS role, r.rolsuper AS superuser, r.rolbypassrls AS bypass,
            (SELECT array_agg(c.relname::text) FROM pg_class c
              WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')
                AND pg_has_role(current_user, c.relowner, 'USAGE')) AS owned
       FROM pg_roles r WHERE r.rolname = current_user`,
  );
  const row = rows[0];
  if (!row) throw new Error('cannot inspect the current database role');
  return { role: row.role, superuser: row.superuser, bypassRls: row.bypass, ownsTables: row.owned ?? [] };
}

export function assertRestrictedRole(check: RoleCheck): void {
  const problems: string[] = [];
  if (check.superuser) problems.push('is a superuser');
  if (check.bypassRls) problems.push('has BYPASSRLS');
  if (check.ownsTables.length) problems.push(`owns tables (${check.ownsTables.join(', ')})`);
  if (problems.length) {
    throw new Error(
      `refusing to start: database role "${check.role}" ${problems.join(' and ')}, so row-level security would not apply to it`,
    );
  }
}
