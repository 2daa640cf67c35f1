export { OptionsModule } from './options.module.js';
export { OptionsService } from './options.service.js';
export { RESET_OPTION_BODY, SET_OPTION_BODY, type ResetOptionBody, type SetOptionBody } from './options.schemas.js';
