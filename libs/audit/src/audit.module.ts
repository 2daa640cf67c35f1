import { Global, Module } from '@nestjs/common';
import { AuditChainController } from './audit-chain.controller.js';
import { AuditChainService } from './audit-chain.service.js';
import { AuditController } from './audit.controller.js';
import { AuditService } from './audit.service.js';

/** Audit reads over HTTP: events, exports, chain heads, checkpoints and verification. */
@Global()
@Module({ controllers: [AuditController, AuditChainController], providers: [AuditService, AuditChainService], exports: [AuditService, AuditChainService] })
export class AuditModule {}
