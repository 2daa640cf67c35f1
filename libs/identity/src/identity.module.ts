import { Global, Module } from '@nestjs/common';
import { BootstrapOperator } from './bootstrap-operator.service.js';
import { InvitationMailer } from './invitation.mailer.js';
import { InvitationsController, TenantPeopleController } from './invitations.controller.js';
import { InvitationsService } from './invitations.service.js';
import { MeController } from './me.controller.js';
import { PrincipalRequestsService } from './principal-requests.service.js';
import { PrincipalRequestsController, PrincipalsController, TenantPrincipalRequestsController } from './principals.controller.js';
import { PrincipalsService } from './principals.service.js';

const PROVIDERS = [PrincipalsService, PrincipalRequestsService, InvitationsService, InvitationMailer, BootstrapOperator];

/** People over HTTP: the caller, principals and their requests, client admins by invitation, the first operator. */
@Global()
@Module({
  controllers: [MeController, PrincipalsController, PrincipalRequestsController, TenantPrincipalRequestsController, TenantPeopleController, InvitationsController],
  providers: PROVIDERS,
  exports: PROVIDERS,
})
export class IdentityModule {}
