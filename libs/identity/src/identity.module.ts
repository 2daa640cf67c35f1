import { Global, Module } from '@nestjs/common';
import { createHash, type KeyObject } from 'node:crypto';
import { CLOISON_CONFIG, SERVICE_SIGNING_KEY, type CloisonConfig } from '#config';
import { ApprovalSignatures } from './approval-signatures.js';
import { CREDENTIAL_SETTINGS, Credentials } from './credential.service.js';
import { CredentialsController } from './credentials.controller.js';
import { ConsoleSessionController } from './console-session.controller.js';
import { ConsoleSignIn } from './console-sign-in.js';
import { BootstrapOperator } from './bootstrap-operator.service.js';
import { InvitationMailer } from './invitation.mailer.js';
import { InvitationsController, TenantPeopleController } from './invitations.controller.js';
import { InvitationsService } from './invitations.service.js';
import { MeController } from './me.controller.js';
import { PrincipalRequestsService } from './principal-requests.service.js';
import { PrincipalRequestsController, PrincipalsController, TenantPrincipalRequestsController } from './principals.controller.js';
import { PrincipalsService } from './principals.service.js';

const CREDENTIAL_SETTINGS_PROVIDER = {
  provide: CREDENTIAL_SETTINGS,
  inject: [CLOISON_CONFIG, SERVICE_SIGNING_KEY],
  // Every instance holds the service key: a challenge one issues, another accepts.
  useFactory: (config: CloisonConfig, key: KeyObject) => ({
    ...config.webauthn,
    challengeKey: createHash('sha256')
      .update('cloison passkey registration\0')
      .update(key.export({ type: 'pkcs8', format: 'der' }))
      .digest(),
  }),
};

const SERVICES = [
  PrincipalsService,
  PrincipalRequestsService,
  InvitationsService,
  InvitationMailer,
  BootstrapOperator,
  Credentials,
  ApprovalSignatures,
  ConsoleSignIn,
];

/** People over HTTP: the caller, principals and their requests, client admins by invitation, the first operator. */
@Global()
@Module({
  controllers: [
    MeController,
    PrincipalsController,
    PrincipalRequestsController,
    TenantPrincipalRequestsController,
    TenantPeopleController,
    InvitationsController,
    CredentialsController,
    ConsoleSessionController,
  ],
  providers: [...SERVICES, CREDENTIAL_SETTINGS_PROVIDER],
  exports: [...SERVICES, CREDENTIAL_SETTINGS],
})
export class IdentityModule {}
