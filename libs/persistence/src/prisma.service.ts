import { PrismaPg } from '@prisma/adapter-pg';
import { Prisma, PrismaClient } from './generated/client.js';
import type { Database } from './database.connector.js';
export type PrismaTx = Omit<PrismaClient, '$connect' | '$disconnect' | '$on' | '$transaction' | '$extends'>;

/** The Prisma client over the restricted pool opened by `openDatabase`. */
export class PrismaService extends PrismaClient {
  constructor(readonly database: Database) {
    super({ adapter: new PrismaPg(database.pool) });
  }
}

/** Prisma needs JSON null spelled out; `undefined` leaves the column SQL NULL. */
export function jsonInput(value: unknown): Prisma.InputJsonValue | typeof Prisma.JsonNull {
  return value === null ? Prisma.JsonNull : (value as Prisma.InputJsonValue);
}

/**
 * The Prisma client for read-only work (GET routes): over the replica's pool when one is
 * configured, else over the primary's. Same restricted role, same row-level security.
 */
export class ReadPrismaService extends PrismaClient {
  constructor(readonly database: Database) {
    super({ adapter: new PrismaPg(database.readPool) });
  }
}
