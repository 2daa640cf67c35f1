import { Controller, Get, Inject, ServiceUnavailableException } from '@nestjs/common';
import { PrismaService, pendingMigrations } from '#persistence';
import { Public } from '#policy';
import type { CloisonConfig } from '#config';
import { CLOISON_CONFIG } from '#config';
import { Lifecycle } from './lifecycle.service.js';
import { Answers } from '#http';

const HEALTH_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['status', 'database'],
  properties: { status: { const: 'ok' }, database: { type: 'string' } },
};
const READY_SCHEMA = { type: 'object', additionalProperties: false, required: ['status'], properties: { status: { const: 'ready' } } };

@Controller()
export class HealthController {
  constructor(
    @Inject(PrismaService) private readonly prisma: PrismaService,
    @Inject(CLOISON_CONFIG) private readonly config: CloisonConfig,
    @Inject(Lifecycle) private readonly lifecycle: Lifecycle,
  ) {}

  /** Liveness: the process answers and reaches its database. */
  @Get('health')
  @Public()
  @Answers({ 200: HEALTH_SCHEMA })
  async health() {
    try {
      await this.prisma.$queryRaw`SELECT 1`;
    } catch {
      throw new ServiceUnavailableException('database unreachable');
    }
    return { status: 'ok', database: this.prisma.database.mode };
  }

  /**
   * Readiness: send traffic here? Only when the database answers, every migration on disk is
   * applied (an instance of a newer release waits for `cloison migrate`), and not shutting down.
   */
  @Get('ready')
  @Public()
  @Answers({ 200: READY_SCHEMA })
  async ready() {
    if (this.lifecycle.draining) throw new ServiceUnavailableException('shutting down');
    let pending: string[];
    try {
      const client = await this.prisma.database.pool.connect();
      try {
        pending = await pendingMigrations(client, this.config.migrationsDir);
      } finally {
        client.release();
      }
    } catch {
      throw new ServiceUnavailableException('database unreachable');
    }
    if (pending.length) throw new ServiceUnavailableException(`migrations pending: ${pending.join(', ')}`);
    return { status: 'ready' };
  }
}
