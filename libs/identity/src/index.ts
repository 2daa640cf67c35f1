export { Authenticator } from './authenticator.service.js';
export { OIDC_SETTINGS, OIDC_SUBJECT_PATTERN, OidcVerifier, looksLikeJwt, type OidcSettings, type StaffClaims } from './oidc.verifier.js';
export { FetchBackoff } from './fetch.backoff.js';
export { PrincipalCache } from './principal.cache.js';
export { ISSUED_PRINCIPAL_SCHEMA, PrincipalIssuer, type IssuedPrincipal, type NewPrincipal } from './principal.issuer.js';
export { REVOKED_PRINCIPAL_SCHEMA, PrincipalRevoker, type RevokedPrincipal } from './principal.revoker.js';
export { generateToken, hashToken, looksLikeToken, sameHash } from './token.js';
export { recoverOperator, type RecoveredOperator } from './operator.recovery.js';
export { LineageReader, type ApprovalFacts } from './lineage.reader.js';
export { lineageRefusal, type LineageOf, type LineageRefusal, type LineageRule } from './lineage.rule.js';
export { needsClientConsent } from './client-consent.rule.js';
export {
  actsForClient,
  clientConsentNeeded,
  clientPeople,
  clientStandings,
  hasClientAdmin,
  notClientPerson,
  type ClientStanding,
} from './client-admins.reader.js';
export {
  CREDENTIAL_SETTINGS,
  Credentials,
  scopeOf,
  type CredentialSettings,
  type CredentialView,
  type NewCredential,
} from './credential.service.js';
export { ApprovalSignatures, type SignatureDemand } from './approval-signatures.js';
export { SIGNATURE_SCHEMA, SIGNED_APPROVAL_BODY } from './credentials.schemas.js';
export {
  CONSOLE_SETTINGS,
  CSRF_HEADER,
  ConsoleSessions,
  type ConsoleSettings,
  SESSION_COOKIE,
  changesState,
  readCookie,
  type OpenedSession,
} from './console-sessions.js';
export { ConsoleSignIn, SignInRefused, loggableUrl, type ProvenIdentity } from './console-sign-in.js';
