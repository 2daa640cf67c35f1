import { Controller, Get, Headers, Inject, NotFoundException, Res, UnauthorizedException } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply } from 'fastify';
import { metricsRegistry } from './metrics.registry.js';
import { Public } from '#policy';
import type { CloisonConfig } from '#config';
import { CLOISON_CONFIG } from '#config';
import { Answers } from '#http';

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * Prometheus metrics. Not for principals: readable only with the scrape token configured in
 * CLOISON_METRICS_TOKEN (Prometheus `authorization: { credentials: ... }`); without one the
 * route does not exist (404), so nothing is exposed by default.
 */
@Controller()
export class MetricsController {
  constructor(@Inject(CLOISON_CONFIG) private readonly config: CloisonConfig) {}

  @Get('metrics')
  @Public()
  @Answers(
    { 200: { media: { 'text/plain': { type: 'string' } } } },
    { 401: 'the scrape token is missing or wrong', 404: 'metrics are disabled (CLOISON_METRICS_TOKEN unset)' },
  )
  async metrics(@Headers('authorization') authorization: string | undefined, @Res({ passthrough: true }) reply: FastifyReply) {
    const expected = this.config.metricsToken;
    if (!expected) throw new NotFoundException('metrics are disabled (set CLOISON_METRICS_TOKEN)');
    const given = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1];
    if (!given || !timingSafeEqual(digest(given), digest(expected))) {
      throw new UnauthorizedException('metrics need the scrape token (Authorization: Bearer <CLOISON_METRICS_TOKEN>)');
    }
    void reply.header('content-type', metricsRegistry.contentType);
    return metricsRegistry.metrics();
  }
}
