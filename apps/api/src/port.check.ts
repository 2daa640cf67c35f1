import { createServer } from 'node:net';

/** What `npm start` reports, in one line, when its port is taken. */
export class PortInUseError extends Error {
  constructor(port: number, host: string) {
    super(`port ${port} on ${host} is already in use (another Cloison, or another program); set PORT to a free one`);
    this.name = 'PortInUseError';
  }
}

/**
 * Fails fast when the HTTP port is taken, before the database is opened: a second start on a
 * used port must not touch the data folder at all. The real listen maps the same error (a port
 * taken in between).
 */
export async function assertPortFree(port: number, host: string): Promise<void> {
  if (port === 0) return;
  await new Promise<void>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (err: NodeJS.ErrnoException) => reject(err.code === 'EADDRINUSE' ? new PortInUseError(port, host) : err));
    probe.listen({ port, host, exclusive: true }, () => probe.close(() => resolve()));
  });
}

export function isAddressInUse(err: unknown): boolean {
  return (err as NodeJS.ErrnoException)?.code === 'EADDRINUSE';
}
