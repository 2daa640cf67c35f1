import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { registeredRoutes } from '#http';

/** Every route the running application serves, as "METHOD /path/:param", read from controller metadata. */
export function listRoutes(app: NestFastifyApplication): string[] {
  return [...new Set(registeredRoutes(app).flatMap((r) => r.paths.map((p) => `${r.method} ${p}`)))].sort();
}
