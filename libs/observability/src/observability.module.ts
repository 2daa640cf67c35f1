import { Global, Module } from '@nestjs/common';
import { HealthController } from './health.controller.js';
import { Lifecycle } from './lifecycle.service.js';
import { MetricsController } from './metrics.controller.js';

/** Health, readiness during shutdown, Prometheus metrics. */
@Global()
@Module({ controllers: [HealthController, MetricsController], providers: [Lifecycle], exports: [Lifecycle] })
export class ObservabilityModule {}
