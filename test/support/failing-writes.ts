import { expect } from '@jest/globals';
import type { TestApp } from './test-app.js';

export interface FailingWrites {
  /** The statements refused, as a trigger's event: 'INSERT', 'UPDATE', 'INSERT OR UPDATE'. */
  before: string;
  table: string;
  /** A trigger condition on OLD/NEW; every row when absent. */
  when?: string;
  /** What RAISE EXCEPTION says (its format string and arguments, as SQL). */
  raise: string;
}

/**
 * Runs `fn` while the database refuses some writes, as failing storage would (a trigger installed as
 * superuser), and removes the trigger afterwards whatever `fn` did.
 */
export async function whileWritesFail<T>(t: TestApp, f: FailingWrites, fn: () => Promise<T>): Promise<T> {
  await t.superuser(async (c) => {
    await c.query(`CREATE FUNCTION test_writes_fail() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION ${f.raise}; END $$`);
    await c.query(`CREATE TRIGGER test_writes_fail BEFORE ${f.before} ON ${f.table} FOR EACH ROW
      ${f.when ? `WHEN (${f.when})` : ''} EXECUTE FUNCTION test_writes_fail()`);
  });
  try {
    return await fn();
  } finally {
    await t.superuser(async (c) => {
      await c.query(`DROP TRIGGER test_writes_fail ON ${f.table}`);
      await c.query('DROP FUNCTION test_writes_fail()');
    });
  }
}

/** The whole answer to a request that failed inside the service: nothing of the cause. */
export const INTERNAL_ERROR_BODY = {
  statusCode: 500,
  error: 'Internal Server Error',
  message: 'internal error',
  requestId: expect.any(String),
};
