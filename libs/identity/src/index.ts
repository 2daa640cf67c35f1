export { Authenticator } from './authenticator.service.js';
export { OIDC_SETTINGS, OidcVerifier, looksLikeJwt, staffPrincipalId, type OidcSettings, type StaffClaims } from './oidc.verifier.js';
export { PrincipalCache } from './principal.cache.js';
export { PrincipalIssuer, type IssuedPrincipal, type NewPrincipal } from './principal.issuer.js';
export { PrincipalRevoker, type RevokedPrincipal } from './principal.revoker.js';
export { generateToken, hashToken, looksLikeToken, sameHash } from './token.js';
export { LineageReader, type ApprovalFacts } from './lineage.reader.js';
export { lineageRefusal, type LineageOf, type LineageRefusal, type LineageRule } from './lineage.rule.js';
