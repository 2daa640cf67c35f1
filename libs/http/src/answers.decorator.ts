import { SetMetadata } from '@nestjs/common';

export const ANSWERS_KEY = 'cloison:answers';

/** A success body: its JSON Schema (as application/json), media types with their schemas, or null for none. */
export type SuccessBody = object | { media: Record<string, object> } | null;

export interface DeclaredAnswers {
  success: Record<number, SuccessBody>;
  /** Statuses the operation's own rules answer, with what they mean; the body is the shared error. */
  errors: Record<number, string>;
  /** Schema of the error bodies when the route has its own error shape (OFREP). */
  errorBody?: object;
}

/**
 * What a route answers besides the statuses every route shares (bad request, credentials, role,
 * not found, limits, database unavailable): its success statuses with their body schemas, and the
 * refusals of its own rules. The OpenAPI document is built from this; the contract test holds the
 * running routes to it.
 */
export const Answers = (success: DeclaredAnswers['success'], errors: DeclaredAnswers['errors'] = {}, errorBody?: object) =>
  SetMetadata(ANSWERS_KEY, { success, errors, ...(errorBody ? { errorBody } : {}) } satisfies DeclaredAnswers);

/** Refusals of a change to option values (option writes, change requests, bulk changes, presets). */
export const CHANGE_REFUSALS: Record<number, string> = {
  409: 'a rule refuses the change in the current state (no change, not pending, stale plan, duplicate approval…); details name the rule',
  412: 'If-Match names another version, or the option changed meanwhile: read it again',
  422: 'a well-formed request that a change-control rule refuses (needs no approval, not a secrecy option…); details name the rule',
  423: 'the tenant is sealed: its configuration cannot change until the seal is lifted',
};
