import { SessionRoleError } from '#persistence/session-role';
import { classifyDatabaseError } from './database-errors.js';
import { toErrorBody } from './http-error.filter.js';

// Shapes recorded from PostgreSQL stopped under load (npm run faults) and from a black-holed port.
const prismaUnreachable = Object.assign(
  new Error("Raw query failed. Code: `N/A`. Message: `Can't reach database server at 127.0.0.1:5432`"),
  {
    code: 'P2010',
    meta: { driverAdapterError: { name: 'DriverAdapterError', cause: { kind: 'DatabaseNotReachable', host: '127.0.0.1', port: 5432 } } },
  },
);
const adminShutdown = Object.assign(new Error('Raw query failed. Code: `57P01`.'), {
  code: 'P2010',
  meta: { driverAdapterError: { cause: { kind: 'postgres', code: '57P01', originalCode: '57P01' } } },
});
const poolTimeout = new Error('Connection terminated due to connection timeout', {
  cause: new Error('Connection terminated unexpectedly'),
});
const brokenClient = new Error('Client has encountered a connection error and is not queryable');
const nulByte = Object.assign(new Error('Raw query failed.'), {
  code: 'P2010',
  meta: { driverAdapterError: { cause: { kind: 'postgres', originalCode: '22021' } } },
});
// A transaction PostgreSQL rolled back to break a deadlock, as the adapter reports it inside Prisma's error.
const deadlock = Object.assign(new Error('Raw query failed. Code: `40P01`. Message: `deadlock detected`'), {
  code: 'P2010',
  meta: { driverAdapterError: { cause: { kind: 'postgres', code: '40P01', originalCode: '40P01' } } },
});
const serialization = Object.assign(new Error('x'), { cause: { originalCode: '40001' } });
const uniqueViolation = Object.assign(new Error('Unique constraint failed'), { code: 'P2002' });

describe('classifyDatabaseError', () => {
  it.each([
    ['Prisma P2010 wrapping DatabaseNotReachable', prismaUnreachable],
    ['PostgreSQL admin shutdown (57P01) under the adapter', adminShutdown],
    ['pool connection timeout (plain Error with a cause)', poolTimeout],
    ['client broken by a lost connection', brokenClient],
    ['socket refusal', Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })],
    ['connection exception class 08', Object.assign(new Error('x'), { code: '08006' })],
    ['Prisma pool timeout', Object.assign(new Error('x'), { code: 'P2024' })],
  ])('%s → 503', (_, err) => {
    expect(classifyDatabaseError(err)).toBe('unavailable');
    expect(toErrorBody(err)).toEqual({ statusCode: 503, error: 'Service Unavailable', message: 'database unavailable, retry later' });
  });

  it.each([
    ['a deadlock PostgreSQL broke (40P01)', deadlock],
    ['a serialization failure (40001)', serialization],
  ])('maps %s to a 503 that says nothing was written', (_, err) => {
    expect(classifyDatabaseError(err)).toBe('contention');
    expect(toErrorBody(err)).toEqual({
      statusCode: 503,
      error: 'Service Unavailable',
      message: 'the request conflicted with a concurrent one and was rolled back: nothing was written, retry',
    });
  });

  it('maps characters PostgreSQL cannot store to 400', () => {
    expect(toErrorBody(nulByte).statusCode).toBe(400);
  });

  it.each([
    ['a unique violation', uniqueViolation],
    ['a programming error', new TypeError('x is undefined')],
    ['a thrown string', 'boom'],
    ['null', null],
  ])('leaves %s a 500 without details', (_, err) => {
    expect(classifyDatabaseError(err)).toBeUndefined();
    expect(toErrorBody(err)).toEqual({ statusCode: 500, error: 'Internal Server Error', message: 'internal error' });
  });

  it('survives cyclic causes', () => {
    const a = new Error('a') as Error & { cause?: unknown };
    a.cause = a;
    expect(classifyDatabaseError(a)).toBeUndefined();
  });
});

describe('a session that failed its role check', () => {
  it('is a 503 of its own, also when wrapped', () => {
    const err = new SessionRoleError('cloison_app', { role: 'postgres', rls: false });
    for (const thrown of [err, new Error('transaction failed', { cause: err })]) {
      expect(classifyDatabaseError(thrown)).toBe('session-role');
      expect(toErrorBody(thrown)).toMatchObject({ statusCode: 503, error: 'Service Unavailable' });
    }
  });
});
