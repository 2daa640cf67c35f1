export { Authenticator } from './authenticator.service.js';
export { OIDC_SETTINGS, OIDC_SUBJECT_PATTERN, OidcVerifier, looksLikeJwt, type OidcSettings, type StaffClaims } from './oidc.verifier.js';
export { FetchBackoff } from './fetch.backoff.js';
export { PrincipalCache } from './principal.cache.js';
export { PrincipalIssuer, type IssuedPrincipal, type NewPrincipal } from './principal.issuer.js';
export { PrincipalRevoker, type RevokedPrincipal } from './principal.revoker.js';
export { generateToken, hashToken, looksLikeToken, sameHash } from './token.js';
export { recoverOperator, type RecoveredOperator } from './operator.recovery.js';
