export { Authenticator } from './authenticator.service.js';
export { PrincipalCache } from './principal.cache.js';
export { PrincipalIssuer, type IssuedPrincipal, type NewPrincipal } from './principal.issuer.js';
export { generateToken, hashToken, looksLikeToken, sameHash } from './token.js';
