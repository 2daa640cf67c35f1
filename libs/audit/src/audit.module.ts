import { Global, Module } from '@nestjs/common';
import { AuditActorsController } from './audit-actors.controller.js';
import { AuditActorsService } from './audit-actors.service.js';
import { AuditChainController } from './audit-chain.controller.js';
import { AuditChainService } from './audit-chain.service.js';
import { AuditController } from './audit.controller.js';
import { AuditService } from './audit.service.js';

const SERVICES = [AuditService, AuditChainService, AuditActorsService];

/** Audit reads over HTTP: events, the people in them, exports, chain heads, checkpoints and verification. */
@Global()
@Module({ controllers: [AuditController, AuditChainController, AuditActorsController], providers: SERVICES, exports: SERVICES })
export class AuditModule {}
