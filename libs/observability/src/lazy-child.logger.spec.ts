import { jest } from '@jest/globals';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { LazyChildLogger } from './lazy-child.logger.js';

function parentLogger() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      for (const l of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(l));
      done();
    },
  });
  return { parent: pino({ level: 'info' }, stream), lines };
}

describe('LazyChildLogger', () => {
  it('makes no child until the first line, then writes what the pino child would, bindings included', () => {
    const { parent, lines } = parentLogger();
    const made = jest.spyOn(parent, 'child');
    const log = new LazyChildLogger(parent, { requestId: 'r-1', clientRequestId: 'c-1' }, {});
    expect(made).not.toHaveBeenCalled();
    log.debug('below the level');
    log.info({ statusCode: 401 }, 'request completed');
    log.error(new Error('boom'));
    expect(made).toHaveBeenCalledTimes(1);
    log.child({ extra: 1 }).warn('from a grandchild');
    expect(lines.map((l) => [l.level, l.msg, l.requestId, l.clientRequestId])).toEqual([
      [30, 'request completed', 'r-1', 'c-1'],
      [50, 'boom', 'r-1', 'c-1'],
      [40, 'from a grandchild', 'r-1', 'c-1'],
    ]);
    expect(lines[0].statusCode).toBe(401);
    expect(lines[2].extra).toBe(1);
    expect(log.level).toBe('info');
  });
});
