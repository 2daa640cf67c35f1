import { Global, Module } from '@nestjs/common';
import type { KeyObject } from 'node:crypto';
import { SERVICE_SIGNING_KEY } from '#config';
import { SealSigner } from './seal-signer.js';
import { SealsController } from './seals.controller.js';
import { Seals } from './seals.service.js';

/** Seals and break-glass: signed with the service key, so one public key verifies audit and seals. */
@Global()
@Module({
  controllers: [SealsController],
  providers: [{ provide: SealSigner, inject: [SERVICE_SIGNING_KEY], useFactory: (key: KeyObject) => new SealSigner(key) }, Seals],
  exports: [SealSigner, Seals],
})
export class SealsModule {}
