import { Global, Module } from '@nestjs/common';
import { ChangeListener } from './change.listener.js';
import { OfrepController } from './ofrep.controller.js';
import { OfrepService } from './ofrep.service.js';
import { SnapshotCache } from './snapshot.cache.js';

/** OFREP evaluation from per-tenant snapshots, invalidated across instances. */
@Global()
@Module({
  controllers: [OfrepController],
  providers: [SnapshotCache, ChangeListener, OfrepService],
  exports: [SnapshotCache, ChangeListener, OfrepService],
})
export class EvaluationModule {}
