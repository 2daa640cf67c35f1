import { Writable } from 'node:stream';

/** A log stream to give startTestApp ({ logStream }), and every line the service writes to it, in order. */
export function capturedLog(): { logStream: Writable; lines: string[] } {
  const lines: string[] = [];
  const logStream = new Writable({
    write(chunk, _enc, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  return { logStream, lines };
}
