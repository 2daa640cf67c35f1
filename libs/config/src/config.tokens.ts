/** The validated configuration (loadConfig), as Nest provider. */
export const CLOISON_CONFIG = Symbol('CLOISON_CONFIG');
/** The service's one Ed25519 key: audit checkpoints and seal documents (one public key to trust). */
export const SERVICE_SIGNING_KEY = Symbol('SERVICE_SIGNING_KEY');
