import type { ErrorKey } from '@aius/contracts';
import { refusalOf, type DatabaseRefusal } from '@aius/db';
import { ApiError } from './api-error.js';

/**
 * What a refused statement (recognised by @aius/db's `refusalOf`) means to the caller, unless the
 * service names the spec's own code for it: a row that is gone, or that a write refers to, is
 * NOT_FOUND (a concurrent delete won the race). A taken unique key has no default: the spec names
 * it where a user can cause it (EMAIL_ALREADY_EXISTS…); anywhere else it is a bug, and stays a 500.
 */
const DEFAULTS: Partial<Record<DatabaseRefusal, ErrorKey>> = { missing: 'NOT_FOUND', 'foreign-key': 'NOT_FOUND' };

export type RefusalCodes = Partial<Record<DatabaseRefusal, ErrorKey>>;

/** The contract error for a refused statement, or null when the error is something else. */
export function refusalError(error: unknown, codes: RefusalCodes = {}): ApiError | null {
  const refusal = refusalOf(error);
  const key = refusal === null ? undefined : (codes[refusal] ?? DEFAULTS[refusal]);
  return key === undefined ? null : new ApiError(key);
}

/** For a write's `.catch`: a refusal becomes its contract error (the spec's code where given); anything else is rethrown as it is. */
export const asContractError =
  (codes: RefusalCodes = {}) =>
  (error: unknown): never => {
    throw refusalError(error, codes) ?? error;
  };
