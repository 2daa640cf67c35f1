export { migrateDatabase, openDatabase, type Database, type DatabaseMode, type DatabaseSettings } from './database.connector.js';
export { DEFAULT_APP_ROLE, assertRestrictedRole, inspectWorkingRole, type RoleCheck } from './app-role.js';
export { applyMigrations, pendingMigrations, readMigrations } from './migrations.applier.js';
export { PrismaService, ReadPrismaService, jsonInput, type PrismaTx } from './prisma.service.js';
export {
  Prisma,
  type AuditEvent,
  type Invitation,
  type OptionValue,
  type Principal,
  type PrincipalRequest,
  type Tenant,
} from './generated/client.js';
export { OwnerConnectionError, withOwnerConnection } from './owner.connection.js';
export { DataDirBusyError } from './data-dir.lock.js';
export { SESSION_ROLE_ERROR_CODE, SessionRoleError, assertSessionRole, type SessionState } from './session-role.js';
export { dedicatedConnection, type DatabaseClient } from './dedicated.connection.js';
export { hotStatement, refusedByDatabase } from './hot.statement.js';
