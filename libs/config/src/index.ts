export { ConfigError, loadConfig, validateEnv, type CloisonConfig, type OidcConfig } from './app.config.js';
export { ENV_SCHEMA, type EnvName } from './config.schema.js';
export { CLOISON_CONFIG, SERVICE_SIGNING_KEY } from './config.tokens.js';
